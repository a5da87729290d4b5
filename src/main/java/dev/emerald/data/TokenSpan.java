package dev.emerald.data;

import java.util.Objects;

/** The token ids {@code ids[from, to)}: a split of a dataset, viewed without copying. */
public record TokenSpan(int[] ids, int from, int to) {
    public TokenSpan {
        Objects.checkFromToIndex(from, to, ids.length);
    }

    public int length() {
        return to - from;
    }

    /** The i-th id of the span. */
    public int get(int i) {
        return ids[from + Objects.checkIndex(i, length())];
    }
}
