package dev.emerald.data.bpe;

import java.util.Arrays;
import java.util.Collection;

/**
 * Finds special tokens' texts in a text, left to right: the earliest occurrence, and of those starting at the
 * same place the longest, so that "&lt;|end|&gt;" and "&lt;|end|&gt;x" can both be special.
 */
final class SpecialMatcher {
    /** Receives a text cut at its special tokens, in order. */
    interface Segments {
        void ordinary(int from, int to);

        /** The special token {@code texts[index]}. */
        void special(int index);
    }

    private final String[] texts;

    SpecialMatcher(Collection<String> texts) {
        this.texts = texts.toArray(String[]::new);
    }

    void split(String text, Segments out) {
        int[] next = new int[texts.length]; // where each special next occurs from pos, or -1 (kept across steps)
        Arrays.fill(next, -2);
        int pos = 0;
        while (true) {
            int best = -1;
            for (int k = 0; k < texts.length; k++) {
                if (next[k] != -1 && next[k] < pos) {
                    next[k] = text.indexOf(texts[k], pos);
                }
                if (next[k] >= 0 && (best < 0 || next[k] < next[best]
                        || (next[k] == next[best] && texts[k].length() > texts[best].length()))) {
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            if (next[best] > pos) {
                out.ordinary(pos, next[best]);
            }
            out.special(best);
            pos = next[best] + texts[best].length();
        }
        if (pos < text.length()) {
            out.ordinary(pos, text.length());
        }
    }
}
