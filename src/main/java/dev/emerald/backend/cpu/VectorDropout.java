package dev.emerald.backend.cpu;

import dev.emerald.backend.DropoutRng;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DropoutRng}'s masks a vector at a time: its SplitMix64 finaliser in 64-bit lanes, one per float.
 * The same decisions as the scalar stream, without a branch per element that the CPU mispredicts.
 *
 * <p>The floats use the preferred shape, as every other float vector in the engine does: a second float shape
 * in the process splits the JIT's type profiles of FloatVector's shared methods between two classes, and a kernel
 * compiled from such a profile boxes its vectors (measured: the GEMM kernels ran 13 times slower in a third of
 * the runs). So each float vector's mask comes from two long vectors.
 */
final class VectorDropout {
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final long STREAM_MUL = 0xD1B54A32D192ED03L, INDEX_MUL = 0x9E3779B97F4A7C15L;
    /** Lane l's share of the key: l * INDEX_MUL. */
    private static final LongVector LANE_KEYS = LongVector.zero(LS).addIndex(1).mul(INDEX_MUL);

    private VectorDropout() {
    }

    /**
     * dst[di + j] = src[si + j] / (1 - p) where element index + j of stream (seed, stream) is kept, else 0,
     * for j in [0, n). src and dst may be the same range.
     */
    static void apply(float[] src, int si, float[] dst, int di, int n, float p, long seed, long stream, long index) {
        float keep = 1f / (1f - p);
        // uniform = k * 2^-24 >= p exactly when the integer k >= p * 2^24 (exact in double), rounded up
        long threshold = (long) Math.ceil(p * 0x1p24);
        long key = seed + stream * STREAM_MUL + index * INDEX_MUL;
        int j = 0;
        for (int bound = FS.loopBound(n); j < bound; j += FS.length()) {
            long low = keptBits(key + j * INDEX_MUL, threshold);
            long high = keptBits(key + (j + LS.length()) * INDEX_MUL, threshold);
            VectorMask<Float> kept = VectorMask.fromLong(FS, low | high << LS.length());
            FloatVector v = FloatVector.fromArray(FS, src, si + j).mul(keep);
            FloatVector.zero(FS).blend(v, kept).intoArray(dst, di + j);
        }
        for (; j < n; j++) {
            dst[di + j] = DropoutRng.uniform(seed, stream, index + j) >= p ? src[si + j] * keep : 0f;
        }
    }

    /** Bit l set when the LS lanes' element l, whose key is key + l * INDEX_MUL, is kept (its 24 bits >= threshold). */
    private static long keptBits(long key, long threshold) {
        LongVector z = LANE_KEYS.add(key);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31)).lanewise(VectorOperators.LSHR, 40);
        return z.compare(VectorOperators.GE, threshold).toLong();
    }
}
