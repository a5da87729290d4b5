package dev.emerald.backend;

/**
 * Counter-based random stream for dropout: element i of stream s under seed k keeps its value when
 * {@code uniform(k, s, i) >= p}. Stateless, so the backward recomputes the mask instead of storing it,
 * and a CUDA kernel computes the same bits from the same three numbers.
 */
public final class DropoutRng {
    private DropoutRng() {
    }

    /** SplitMix64's finaliser over a key made of seed, stream and index. */
    public static long bits(long seed, long stream, long index) {
        long z = seed + stream * 0xD1B54A32D192ED03L + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A float uniform in [0, 1) from the top 24 bits. */
    public static float uniform(long seed, long stream, long index) {
        return (bits(seed, stream, index) >>> 40) * 0x1.0p-24f;
    }
}
