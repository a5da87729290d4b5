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
     * Packs op(A) rows [i0, i0 + rows), columns [k0, k0 + kc) into dst as MR-row panels of kc * MR
     * floats, k-major, rows past the block zeroed.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int k0, int kc, float[] dst) {
        for (int r0 = 0; r0 < rows; r0 += MR) {
            int d = r0 * kc;
            int panelRows = Math.min(MR, rows - r0);
            if (transA) {
                // op(A)(i, k) = a[k * lda + i]: each k is a contiguous run of MR floats.
                for (int k = 0; k < kc; k++, d += MR) {
                    int src = aOff + (k0 + k) * lda + i0 + r0;
                    System.arraycopy(a, src, dst, d, panelRows);
                    if (panelRows < MR) {
                        java.util.Arrays.fill(dst, d + panelRows, d + MR, 0f);
                    }
                }
            } else {
                // op(A)(i, k) = a[i * lda + k]: read each stored row contiguously, scatter with stride MR.
                for (int r = 0; r < panelRows; r++) {
                    int src = aOff + (i0 + r0 + r) * lda + k0;
                    for (int k = 0, o = d + r; k < kc; k++, o += MR) {
                        dst[o] = a[src + k];
                    }
                }
                for (int r = panelRows; r < MR; r++) {
                    for (int k = 0, o = d + r; k < kc; k++, o += MR) {
                        dst[o] = 0f;
                    }
                }
            }
        }
    }
}
