package dev.emerald.backend.cpu;

import dev.emerald.backend.DropoutRng;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DropoutRng}'s masks a vector at a time: its SplitMix64 finaliser in 64-bit lanes, one per float.
 * The same decisions as the scalar stream, without a branch per element that the CPU mispredicts.
 */
final class VectorDropout {
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** Floats, as many lanes as LS. */
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(LS.length() * Float.SIZE));
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
            LongVector z = LANE_KEYS.add(key + j * INDEX_MUL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31)).lanewise(VectorOperators.LSHR, 40);
            VectorMask<Float> kept = z.compare(VectorOperators.GE, threshold).cast(FS);
            FloatVector v = FloatVector.fromArray(FS, src, si + j).mul(keep);
            FloatVector.zero(FS).blend(v, kept).intoArray(dst, di + j);
        }
        for (; j < n; j++) {
            dst[di + j] = DropoutRng.uniform(seed, stream, index + j) >= p ? src[si + j] * keep : 0f;
        }
    }
}
