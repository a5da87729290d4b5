package dev.emerald.data.bpe;

/**
 * Applies a vocabulary's merges to one word as GPT-2 does: repeatedly the pair of lowest rank, the leftmost
 * first among equals. Symbols form a linked list over the word's byte positions and candidate pairs wait in
 * a min-heap keyed by (rank, position), so a long word costs O(n log n), not GPT-2's O(n²); entries a merge
 * made stale are recognised when they come up and skipped. Not thread-safe: one per thread.
 */
final class WordMerger {
    private final int[] byteIds;
    private final PairMap ranks;
    private final int[] results;
    private int[] ids = new int[0];
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private long[] heap = new long[0];
    private int heapSize;

    /** @param results the id each merge (by rank) produces */
    WordMerger(int[] byteIds, PairMap ranks, int[] results) {
        this.byteIds = byteIds;
        this.ranks = ranks;
        this.results = results;
    }

    /** The ids of a word given as its UTF-8 bytes. */
    int[] merge(byte[] word) {
        int n = word.length;
        if (ids.length < n) {
            ids = new int[n];
            next = new int[n];
            prev = new int[n];
            heap = new long[3 * n]; // n - 1 pairs at first, at most 2 more per merge, n - 1 merges
        }
        for (int i = 0; i < n; i++) {
            ids[i] = byteIds[word[i] & 0xFF];
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        next[n - 1] = -1;
        heapSize = 0;
        for (int i = 0; i + 1 < n; i++) {
            push(i);
        }
        int count = n;
        while (heapSize > 0) {
            long top = pop();
            int rank = (int) (top >>> 32), i = (int) top, j = next[i];
            if (ids[i] < 0 || j < 0 || ranks.get(ids[i], ids[j]) != rank) {
                continue; // a merge since this entry was pushed changed one of its symbols
            }
            ids[i] = results[rank];
            ids[j] = -1;
            next[i] = next[j];
            if (next[i] >= 0) {
                prev[next[i]] = i;
                push(i);
            }
            if (prev[i] >= 0) {
                push(prev[i]);
            }
            count--;
        }
        int[] out = new int[count];
        for (int i = 0, k = 0; i >= 0; i = next[i]) {
            out[k++] = ids[i];
        }
        return out;
    }

    /** Queues the pair starting at position i if the vocabulary merges it. */
    private void push(int i) {
        int rank = ranks.get(ids[i], ids[next[i]]);
        if (rank < 0) {
            return;
        }
        long entry = (long) rank << 32 | i;
        int k = heapSize++;
        while (k > 0 && heap[(k - 1) >>> 1] > entry) {
            heap[k] = heap[(k - 1) >>> 1];
            k = (k - 1) >>> 1;
        }
        heap[k] = entry;
    }

    private long pop() {
        long top = heap[0], last = heap[--heapSize];
        int k = 0;
        while (true) {
            int child = 2 * k + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[k] = heap[child];
            k = child;
        }
        heap[k] = last;
        return top;
    }
}
