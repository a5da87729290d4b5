package dev.emerald.backend.cpu;

import static dev.emerald.backend.cpu.SgemmKernel.MR;
import static dev.emerald.backend.cpu.SgemmKernel.NR;

/** Packs op(A) and op(B) into the contiguous, zero-padded panel layouts {@link SgemmKernel} reads. */
final class SgemmPack {
    private SgemmPack() {
    }

    /**
     * Packs op(B) rows [k0, k0 + kc), columns [j0, j0 + NR) into dst[d..]: k-major, NR floats per k,
     * columns past N zeroed.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int k0, int kc, int N, int j0, float[] dst, int d) {
        int cols = Math.min(NR, N - j0);
        if (!transB) {
            // op(B)(k, j) = b[k * ldb + j]: each k is a contiguous run of cols floats.
            for (int k = k0; k < k0 + kc; k++, d += NR) {
                System.arraycopy(b, bOff + k * ldb + j0, dst, d, cols);
                if (cols < NR) {
                    java.util.Arrays.fill(dst, d + cols, d + NR, 0f);
                }
            }
        } else {
            // op(B)(k, j) = b[j * ldb + k]: read each stored row contiguously, scatter with stride NR.
            for (int j = 0; j < cols; j++) {
                int src = bOff + (j0 + j) * ldb + k0;
                for (int k = 0, o = d + j; k < kc; k++, o += NR) {
                    dst[o] = b[src + k];
                }
            }
            for (int j = cols; j < NR; j++) {
                for (int k = 0, o = d + j; k < kc; k++, o += NR) {
                    dst[o] = 0f;
                }
            }
        }
    }

    /**
     * Packs op(A) = A^T (A stored (K, M)) rows [i0, i0 + rows), columns [k0, k0 + kc) into dst as
     * MR-row panels of kc * MR floats, k-major (each k a contiguous run of MR floats), rows past the
     * block zeroed.
     */
    static void packTransposedA(float[] a, int aOff, int lda, int i0, int rows, int k0, int kc, float[] dst) {
        // k outermost: each k reads one contiguous run of the block's rows (few cache lines and pages
        // per float) and hands MR floats to each panel.
        int full = rows - rows % MR;
        for (int k = 0; k < kc; k++) {
            int src = aOff + (k0 + k) * lda + i0;
            int d = k * MR;
            for (int r0 = 0; r0 < full; r0 += MR, d += kc * MR) {
                System.arraycopy(a, src + r0, dst, d, MR);
            }
            if (full < rows) {
                System.arraycopy(a, src + full, dst, d, rows - full);
                java.util.Arrays.fill(dst, d + rows - full, d + MR, 0f);
            }
        }
    }

    /** Copies rows (< MR) of kc floats from a[ai..] (stride lda) into dst as MR rows of kc, zero-padding the rest. */
    static void packEdgeRows(float[] a, int ai, int lda, int rows, int kc, float[] dst) {
        for (int r = 0; r < MR; r++) {
            if (r < rows) {
                System.arraycopy(a, ai + r * lda, dst, r * kc, kc);
            } else {
                java.util.Arrays.fill(dst, r * kc, (r + 1) * kc, 0f);
            }
        }
    }
}
