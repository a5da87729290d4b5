package dev.emerald.data.bpe;

import java.util.Arrays;

/**
 * The ids of words already encoded, looked up by a range of the text so that a hit allocates nothing: prose
 * repeats a few thousand words, so most words are found here and never reach the merge loop. Open addressing,
 * growing from small (a prompt needs little) to a bound, then emptied when full, which caps its memory on any
 * input. Not thread-safe: one per thread.
 */
final class WordCache {
    private static final int MAX_BITS = 17;

    private String[] words = new String[1 << 8];
    /** Each word's full hash: a probe compares it before touching the word. */
    private int[] hashes = new int[1 << 8];
    private int[][] ids = new int[1 << 8][];
    private int shift = 32 - 8;
    private int size;

    /** The cached ids of {@code text[from, to)}, or null; {@code hash} must be {@link #hash} of that range. */
    int[] get(String text, int from, int to, int hash) {
        int len = to - from, mask = words.length - 1;
        for (int i = hash >>> shift; ; i = (i + 1) & mask) {
            String w = words[i];
            if (w == null) {
                return null;
            }
            if (hashes[i] == hash && w.length() == len && text.regionMatches(from, w, 0, len)) {
                return ids[i];
            }
        }
    }

    void put(String word, int hash, int[] wordIds) {
        if ((size + 1) * 2 > words.length) {
            if (shift > 32 - MAX_BITS) {
                grow();
            } else {
                Arrays.fill(words, null);
                Arrays.fill(ids, null);
                size = 0;
            }
        }
        insert(word, hash, wordIds);
    }

    private void insert(String word, int hash, int[] wordIds) {
        int mask = words.length - 1, i = hash >>> shift;
        while (words[i] != null) {
            i = (i + 1) & mask;
        }
        words[i] = word;
        hashes[i] = hash;
        ids[i] = wordIds;
        size++;
    }

    private void grow() {
        String[] oldWords = words;
        int[] oldHashes = hashes;
        int[][] oldIds = ids;
        words = new String[oldWords.length * 2];
        hashes = new int[words.length];
        ids = new int[words.length][];
        shift--;
        size = 0;
        for (int i = 0; i < oldWords.length; i++) {
            if (oldWords[i] != null) {
                insert(oldWords[i], oldHashes[i], oldIds[i]);
            }
        }
    }

    /** A hash of {@code text[from, to)} whose high bits index the table. */
    static int hash(String text, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h * 0x9E3779B9;
    }
}
