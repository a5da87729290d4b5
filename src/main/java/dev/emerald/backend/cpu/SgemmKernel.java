package dev.emerald.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked GEMM micro-kernels: an MR x NR tile of C lives in MR * NR / L vector accumulators
 * (hand-unrolled locals, so C2 keeps them in registers) while k runs; each k step is two vector loads
 * of packed B, MR broadcasts of A and 2 * MR FMAs. 8 x 32 with AVX-512 (16 accumulators) runs at the
 * FMA peak; 6 x 32, 12 x 32 and 4 x 64 measured the same, so the smaller tile keeps edge waste low.
 */
final class SgemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;

    private SgemmKernel() {
    }

    /**
     * C tile (MR x NR) at c[ci..] (+)= A (MR x kc) @ B micro-panel (kc x NR) packed k-major. Here A's
     * columns are contiguous: A(r, k) = a[ai + k * lda + r], as in A^T stored (K, M).
     */
    static void kernelCols(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc,
                           boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++, ai += lda, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = b0.fma(a6, c60);
            c61 = b1.fma(a6, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = b0.fma(a7, c70);
            c71 = b1.fma(a7, c71);
        }
        if (load) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }

    /** As {@link #kernelCols}, but A's rows are contiguous: A(r, k) = a[ai + r * lda + k]. */
    static void kernelRows(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc,
                           boolean load) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int i0 = ai;
        int i1 = ai + lda;
        int i2 = ai + 2 * lda;
        int i3 = ai + 3 * lda;
        int i4 = ai + 4 * lda;
        int i5 = ai + 5 * lda;
        int i6 = ai + 6 * lda;
        int i7 = ai + 7 * lda;
        for (int k = 0; k < kc; k++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, a[i0 + k]);
            c00 = b0.fma(a0, c00);
            c01 = b1.fma(a0, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[i1 + k]);
            c10 = b0.fma(a1, c10);
            c11 = b1.fma(a1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[i2 + k]);
            c20 = b0.fma(a2, c20);
            c21 = b1.fma(a2, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[i3 + k]);
            c30 = b0.fma(a3, c30);
            c31 = b1.fma(a3, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[i4 + k]);
            c40 = b0.fma(a4, c40);
            c41 = b1.fma(a4, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[i5 + k]);
            c50 = b0.fma(a5, c50);
            c51 = b1.fma(a5, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[i6 + k]);
            c60 = b0.fma(a6, c60);
            c61 = b1.fma(a6, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[i7 + k]);
            c70 = b0.fma(a7, c70);
            c71 = b1.fma(a7, c71);
        }
        if (load) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }
}
