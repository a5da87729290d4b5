package dev.emerald.backend.cpu;

import static dev.emerald.backend.cpu.SgemmKernel.L;
import static dev.emerald.backend.cpu.SgemmKernel.MR;
import static dev.emerald.backend.cpu.SgemmKernel.NR;
import static dev.emerald.backend.cpu.SgemmKernel.S;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Packs op(B) into the contiguous, zero-padded panels {@link SgemmKernel} reads, A^T into MR-column
 * panels, and copies the last, partial MR-row panel of A into a zero-padded one (full panels of A are
 * read in place). The weight gradient's bias sums are taken on the way (see {@link Sgemm#weightGradient}).
 */
final class SgemmPack {
    /** The first MR lanes of a vector: one k of an A^T panel. */
    private static final VectorMask<Float> PANEL_ROW = S.indexInRange(0, MR);

    private SgemmPack() {
    }

    /**
     * Packs op(B) rows [k0, k0 + kc), columns [j0, j0 + NR) into dst[d..]: k-major, NR floats per k,
     * columns past N zeroed.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int k0, int kc, int N, int j0, float[] dst, int d) {
        int cols = Math.min(NR, N - j0);
        if (!transB && cols == NR) {
            // op(B)(k, j) = b[k * ldb + j]: each k is a contiguous run of NR floats, two vectors.
            for (int k = k0, src = bOff + k0 * ldb + j0; k < k0 + kc; k++, d += NR, src += ldb) {
                FloatVector.fromArray(S, b, src).intoArray(dst, d);
                FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
            }
        } else if (!transB) {
            for (int k = k0; k < k0 + kc; k++, d += NR) {
                System.arraycopy(b, bOff + k * ldb + j0, dst, d, cols);
                Arrays.fill(dst, d + cols, d + NR, 0f);
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
     * Copies an A^T panel: for each of kc k's, rows (<= MR) contiguous floats from a[ai + k * lda..] into
     * dst[d + k * MR..], zero-padded to MR. With sums, adds each row's sum over the kc k's into sums[sOff..].
     */
    static void packCols(float[] a, int ai, int lda, int rows, int kc, float[] dst, int d, float[] sums, int sOff) {
        if (rows == MR && L >= MR && ai + (kc - 1) * lda + L <= a.length) {
            // One full vector per k, whose upper half lands on the next k's place and is rewritten there; only the
            // last k's move is masked. A scalar copy cost 10%, and a half-width species would split the JIT's
            // profiles of FloatVector's methods between two shapes (see VectorDropout). Lanes past MR of s are unused.
            FloatVector s = FloatVector.zero(S);
            int src = ai, o = d;
            for (int k = 0; k < kc - 1; k++, src += lda, o += MR) {
                FloatVector v = FloatVector.fromArray(S, a, src);
                v.intoArray(dst, o);
                s = s.add(v);
            }
            FloatVector v = FloatVector.fromArray(S, a, src);
            v.intoArray(dst, o, PANEL_ROW);
            s = s.add(v);
            if (sums != null) {
                s.add(FloatVector.fromArray(S, sums, sOff, PANEL_ROW)).intoArray(sums, sOff, PANEL_ROW);
            }
            return;
        }
        for (int k = 0; k < kc; k++) {
            System.arraycopy(a, ai + k * lda, dst, d + k * MR, rows);
            Arrays.fill(dst, d + k * MR + rows, d + (k + 1) * MR, 0f);
        }
        if (sums != null) {
            addColumnSums(a, ai, lda, rows, kc, sums, sOff);
        }
    }

    /** sums[sOff + j] += the sum over k < kc of x[xi + k * ldx + j], for j < cols. */
    static void addColumnSums(float[] x, int xi, int ldx, int cols, int kc, float[] sums, int sOff) {
        for (int j = 0; j < cols; j++) {
            float s = 0f;
            for (int k = 0; k < kc; k++) {
                s += x[xi + k * ldx + j];
            }
            sums[sOff + j] += s;
        }
    }

    /**
     * Copies the A edge panel: rows (< MR) runs of kc floats from a[ai + r * lda..] into dst[r * kc..],
     * zero-padded to MR rows.
     */
    static void packEdgeRows(float[] a, int ai, int lda, int rows, int kc, float[] dst) {
        for (int r = 0; r < MR; r++) {
            if (r < rows) {
                System.arraycopy(a, ai + r * lda, dst, r * kc, kc);
            } else {
                Arrays.fill(dst, r * kc, (r + 1) * kc, 0f);
            }
        }
    }
}
