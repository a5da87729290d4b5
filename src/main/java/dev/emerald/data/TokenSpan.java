package dev.emerald.data;

import java.util.Objects;

/** The token ids {@code ids[from, to)}: a split of a dataset, viewed without copying. */
public record TokenSpan(int[] ids, int from, int to) implements Tokens {
    public TokenSpan {
        Objects.checkFromToIndex(from, to, ids.length);
    }

    @Override
    public long length() {
        return to - from;
    }

    @Override
    public void copy(long start, int[] dst, int at, int n) {
        Objects.checkFromIndexSize(start, n, length());
        System.arraycopy(ids, from + (int) start, dst, at, n);
    }

    /** The i-th id of the span. */
    public int get(int i) {
        return ids[from + Objects.checkIndex(i, to - from)];
    }
}
