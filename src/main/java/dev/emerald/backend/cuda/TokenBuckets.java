package dev.emerald.backend.cuda;

/**
 * The positions of a batch grouped by token, for encoder_backward_wte1, which gives each (token,
 * channel) of dwte one thread that adds its positions in order. layout holds the distinct tokens U in
 * increasing order, then U + 1 starts, then the n positions: token u's are
 * {@code positions[starts[u] .. starts[u + 1])}, in increasing order.
 */
record TokenBuckets(int distinct, int[] layout) {

    /** Buckets for tokens[0..n), each in [0, V) (a counting sort). */
    static TokenBuckets of(int[] tokens, int n, int V) {
        int[] count = new int[V];
        for (int i = 0; i < n; i++) {
            count[tokens[i]]++;
        }
        int U = 0;
        for (int c : count) {
            U += c > 0 ? 1 : 0;
        }
        int[] layout = new int[2 * U + 1 + n];
        int[] next = new int[V]; // where token v's next position goes
        int u = 0, at = 0;
        for (int v = 0; v < V; v++) {
            if (count[v] > 0) {
                layout[u] = v;
                layout[U + u] = at;
                next[v] = at;
                at += count[v];
                u++;
            }
        }
        layout[2 * U] = n;
        for (int i = 0; i < n; i++) {
            layout[2 * U + 1 + next[tokens[i]]++] = i;
        }
        return new TokenBuckets(U, layout);
    }
}
