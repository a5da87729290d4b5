package dev.emerald.data.bpe;

import java.util.Arrays;

/**
 * A map from a pair of token ids to an int (a merge's rank, or a pair's slot in the trainer), open addressing
 * over two flat arrays: the encoder's innermost lookup, which a boxed {@code HashMap<Long, Integer>} would
 * slow down several times with allocation and pointer chasing.
 */
final class PairMap {
    private static final long EMPTY = -1; // pair keys are never negative: ids are

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    PairMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected * 2)) << 1; // at most half full
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    static long key(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    static int left(long key) {
        return (int) (key >>> 32);
    }

    static int right(long key) {
        return (int) key;
    }

    int size() {
        return size;
    }

    /** The value of a pair, or -1. */
    int get(int left, int right) {
        long key = key(left, right);
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    void put(int left, int right, int value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(left, right);
        int i = slot(key);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            keys[i] = key;
            size++;
        }
        values[i] = value;
    }

    /** The high half of a multiplicative hash: consecutive ids spread over the whole table. */
    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[keys.length];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(left(oldKeys[i]), right(oldKeys[i]), oldValues[i]);
            }
        }
    }
}
