package dev.emerald.data;

/**
 * A sequence of token ids that batches are cut from: an array in memory ({@link TokenSpan}) or a token shard
 * mapped from disk, which may hold more than 2^31 tokens.
 */
public interface Tokens {
    long length();

    /** Copies the ids {@code [start, start + n)} into {@code dst[at, at + n)}. */
    void copy(long start, int[] dst, int at, int n);
}
