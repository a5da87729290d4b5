package dev.emerald.data.bpe;

/**
 * A map from a pair of token ids to an int (a merge's rank, or a pair's slot in the trainer): open addressing
 * over one flat array holding each key beside its value, so that a lookup touches one cache line. It is the
 * encoder's innermost lookup, which a boxed {@code HashMap<Long, Integer>} would slow down several times.
 */
final class PairMap {
    private static final long EMPTY = -1; // pair keys are never negative: ids are not

    /** Key at 2i, value at 2i + 1. */
    private long[] table;
    private int size;
    private int mask;

    PairMap(int expected) {
        allocate(Integer.highestOneBit(Math.max(8, expected * 2)) << 1); // at most half full
    }

    private void allocate(int slots) {
        table = new long[2 * slots];
        for (int i = 0; i < table.length; i += 2) {
            table[i] = EMPTY;
        }
        mask = slots - 1;
        size = 0;
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

    /** The value of a pair, or -1. */
    int get(int left, int right) {
        long key = key(left, right);
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = table[2 * i];
            if (k == key) {
                return (int) table[2 * i + 1];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    void put(int left, int right, int value) {
        if ((size + 1) * 2 > mask + 1) {
            grow();
        }
        long key = key(left, right);
        int i = slot(key);
        while (table[2 * i] != EMPTY && table[2 * i] != key) {
            i = (i + 1) & mask;
        }
        if (table[2 * i] == EMPTY) {
            table[2 * i] = key;
            size++;
        }
        table[2 * i + 1] = value;
    }

    /** The high half of a multiplicative hash: consecutive ids spread over the whole table. */
    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    private void grow() {
        long[] old = table;
        allocate(2 * (mask + 1));
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) {
                put(left(old[i]), right(old[i]), (int) old[i + 1]);
            }
        }
    }
}
