package dev.emerald.backend.cpu;

import static dev.emerald.backend.cpu.SgemmKernel.MR;
import static dev.emerald.backend.cpu.SgemmKernel.NR;

import dev.emerald.util.Parallel;
import java.util.Arrays;

/**
 * Row-major single-precision GEMM: C (M, N) = op(A) (M, K) @ op(B) (K, N), plus C's old value when
 * {@code accumulate}. op(X) is X, or X transposed when the flag says so; lda/ldb/ldc are row strides
 * of the arrays as stored.
 *
 * <p>GotoBLAS/BLIS-style: op(B) is packed once per call into KC x NR panels (shared by all threads,
 * zero-padded to whole panels, which absorbs B's transpose), and each thread sweeps its share of C's
 * rows: for each K block, MC-row blocks of op(A) against all of packed B, one MR x NR tile at a time
 * in {@link SgemmKernel}. A is read in place, MR rows at a time, and only a partial last panel is
 * copied; A^T, whose MR columns are short pieces of long rows, is packed a block at a time. Edge
 * tiles of C go through a scratch tile. When C is
 * wider than tall and K long, the transposed product is computed instead, so the larger operand stays
 * unpacked, except for A^T: then the threads split C's columns instead of its rows (see runByColumns). With
 * fewer than MR rows, {@link SgemmSmallM} streams B once per row instead.
 */
public final class Sgemm {
    /** K block: C tiles are reloaded once per K block; the B micro-panel (KC x NR) is re-read from L1/L2. */
    static final int KC = 512;
    /** M block (multiple of MR): the A block (MC x KC) stays in L2 while all of B passes. */
    static final int MC = 16 * MR;
    /** N block (multiple of NR) of {@link #runByColumns}: the B block (KC x NC) stays in L2 while all of A^T passes. */
    static final int NC = 8 * NR;
    /** Below this many multiply-adds per chunk, another thread costs more than it saves. */
    private static final long MIN_CHUNK_WORK = 1L << 19;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread scratch, grown on demand and reused so steady-state calls do not allocate. */
    private static final class Buffers {
        float[] packedB = new float[0];
        final float[] edgeA = new float[MR * KC];
        final float[] packedAt = new float[MC * KC];
        final float[] packedBlock = new float[KC * NC];
        final float[] tile = new float[MR * NR];

        float[] packedB(int size) {
            if (packedB.length < size) {
                packedB = new float[size];
            }
            return packedB;
        }
    }

    private Sgemm() {
    }

    public static void gemm(boolean transA, boolean transB, int M, int N, int K,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
        gemm(transA, transB, M, N, K, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc, null, 0);
    }

    /**
     * A linear layer's weight and bias gradients from one pass over dout: C (M, N) += A^T (M, K) @ B (K, N), A
     * stored (K, M), and sums[sOff + i] += the sum over k of A(k, i). The sums are taken while A^T is packed
     * for the product, a K block at a time, so dout is not read again; each one runs in the same order
     * whatever the thread count.
     */
    public static void weightGradient(int M, int N, int K, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                      float[] c, int cOff, int ldc, float[] sums, int sOff) {
        gemm(true, false, M, N, K, a, aOff, lda, b, bOff, ldb, true, c, cOff, ldc, sums, sOff);
    }

    /** As gemm; with sums (only given with transA), also adds op(A)'s row sums into sums[sOff..]. */
    private static void gemm(boolean transA, boolean transB, int M, int N, int K,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             boolean accumulate, float[] c, int cOff, int ldc, float[] sums, int sOff) {
        if (M <= 0 || N <= 0) {
            return;
        }
        if (K <= 0) {
            if (!accumulate) {
                for (int i = 0; i < M; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + N, 0f);
                }
            }
            return;
        }
        if (M < MR) {
            SgemmSmallM.gemm(transA, transB, M, N, K, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
            if (sums != null) {
                SgemmPack.addColumnSums(a, aOff, lda, M, K, sums, sOff);
            }
        } else if (transA && N > M && K >= KC) {
            runByColumns(transB, M, N, K, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc, sums, sOff);
        } else if (transposeSaves(M, N, K)) {
            // Wide and short: compute C^T = op(B)^T @ op(A)^T instead, so the larger operand is the
            // one read in place and the smaller one is packed; tiles are stored transposed. op(A)^T is
            // then the packed B, whose columns are op(A)'s rows.
            run(!transB, !transA, N, M, K, b, bOff, ldb, a, aOff, lda, accumulate, c, cOff, ldc, true, null, 0);
        } else {
            run(transA, transB, M, N, K, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc, false, sums, sOff);
        }
    }

    /**
     * As gemm, K > 0; with transC, writes C(i, j) at c[cOff + j * ldc + i]. With sums (transA), adds op(A)'s
     * row sums into sums[sOff..].
     */
    private static void run(boolean transA, boolean transB, int M, int N, int K, float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc,
                            boolean transC, float[] sums, int sOff) {
        int nPanels = (N + NR - 1) / NR;
        int kc = kBlock(K);
        int nPad = nPanels * NR;
        float[] bp = BUFFERS.get().packedB(nPad * K);
        Parallel.range(nPanels, minChunk((long) NR * K), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int k0 = 0; k0 < K; k0 += kc) {
                    int kb = Math.min(kc, K - k0);
                    SgemmPack.packB(transB, b, bOff, ldb, k0, kb, N, p * NR, bp, k0 * nPad + p * kb * NR);
                }
            }
        });
        // Each thread takes a contiguous run of MR-row panels of C and walks all of it.
        int mPanels = (M + MR - 1) / MR;
        Parallel.range(mPanels, minChunk((long) MR * N * K), (p0, p1) ->
                multiplyRows(transA, a, aOff, lda, p0 * MR, Math.min(M, p1 * MR), N, K, kc, bp, nPad,
                        accumulate, c, cOff, ldc, transC, sums, sOff, BUFFERS.get()));
    }

    /**
     * As gemm with transA, K > 0, for a weight gradient wider than tall: A^T, the smaller
     * operand, is packed once into MR-column panels shared by all threads; each thread takes a contiguous run of
     * C's NR-column panels and, for each K block, packs them NC columns at a time from op(B) (long contiguous
     * runs of B's rows, unlike A^T's MR floats per row) into an L2-resident block that all of packed A^T passes over. C's
     * tiles are stored as they lie, where computing C^T instead would store every one transposed per K block.
     * With sums, adds A^T's row sums into sums[sOff..].
     */
    private static void runByColumns(boolean transB, int M, int N, int K, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                     boolean accumulate, float[] c, int cOff, int ldc, float[] sums, int sOff) {
        int mPanels = (M + MR - 1) / MR;
        int kc = kBlock(K);
        int mPad = mPanels * MR;
        float[] at = BUFFERS.get().packedB(mPad * K);
        Parallel.range(mPanels, minChunk((long) MR * K), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int k0 = 0; k0 < K; k0 += kc) {
                    int kb = Math.min(kc, K - k0);
                    SgemmPack.packCols(a, aOff + k0 * lda + p * MR, lda, Math.min(MR, M - p * MR), kb, at,
                            k0 * mPad + p * kb * MR, sums, sOff + p * MR);
                }
            }
        });
        int nPanels = (N + NR - 1) / NR;
        Parallel.range(nPanels, minChunk((long) NR * M * K), (q0, q1) ->
                multiplyCols(transB, M, q0 * NR, Math.min(N, q1 * NR), K, kc, at, mPad, b, bOff, ldb, accumulate, c, cOff, ldc,
                        BUFFERS.get()));
    }

    /** C columns [jStart, jEnd) of runByColumns: for each K block and NC-column block of B, all of packed A^T. */
    private static void multiplyCols(boolean transB, int M, int jStart, int jEnd, int K, int kc, float[] at, int mPad, float[] b,
                                     int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc, Buffers buf) {
        float[] bp = buf.packedBlock;
        float[] tile = buf.tile;
        for (int k0 = 0; k0 < K; k0 += kc) {
            int kb = Math.min(kc, K - k0);
            boolean load = accumulate || k0 > 0;
            for (int j0 = jStart; j0 < jEnd; j0 += NC) {
                int j1 = Math.min(jEnd, j0 + NC);
                for (int j = j0; j < j1; j += NR) {
                    SgemmPack.packB(transB, b, bOff, ldb, k0, kb, j1, j, bp, (j - j0) * kb);
                }
                for (int i = 0; i < M; i += MR) {
                    int tileRows = Math.min(MR, M - i);
                    for (int j = j0; j < j1; j += NR) {
                        int cols = Math.min(NR, j1 - j);
                        int ci = cOff + i * ldc + j;
                        boolean full = tileRows == MR && cols == NR;
                        SgemmKernel.kernelCols(kb, at, k0 * mPad + i * kb, MR, bp, (j - j0) * kb,
                                full ? c : tile, full ? ci : 0, full ? ldc : NR, full && load);
                        if (!full) {
                            mergeTile(tile, c, ci, ldc, tileRows, cols, load, false);
                        }
                    }
                }
            }
        }
    }

    /**
     * C rows [iStart, iEnd): for each K block, each MC-row block of A (L2-resident) is swept across all
     * of packed B; a B micro-panel is reused from L1/L2 across the block's MR-row panels. With sums
     * (transA), adds the rows' sums over k into sums[sOff + i], K block by K block.
     */
    private static void multiplyRows(boolean transA, float[] a, int aOff, int lda, int iStart, int iEnd, int N, int K,
                                     int kc, float[] bp, int nPad, boolean accumulate, float[] c, int cOff, int ldc,
                                     boolean transC, float[] sums, int sOff, Buffers buf) {
        float[] ap = buf.edgeA;
        float[] at = buf.packedAt;
        float[] tile = buf.tile;
        for (int k0 = 0; k0 < K; k0 += kc) {
            int kb = Math.min(kc, K - k0);
            boolean load = accumulate || k0 > 0;
            for (int i0 = iStart; i0 < iEnd; i0 += MC) {
                int rows = Math.min(MC, iEnd - i0);
                // Full MR-row panels of A are read in place; only a partial last one is copied, zero-padded.
                int edge = rows - rows % MR;
                if (transA) {
                    // A^T's columns are MR floats out of each long row: copied into contiguous panels, so
                    // the kernel streams them instead of touching a cache line per k
                    for (int r = 0; r < rows; r += MR) {
                        SgemmPack.packCols(a, aOff + k0 * lda + i0 + r, lda, Math.min(MR, rows - r), kb, at, r * kb,
                                sums, sOff + i0 + r);
                    }
                } else if (edge < rows) {
                    SgemmPack.packEdgeRows(a, aOff + (i0 + edge) * lda + k0, lda, rows - edge, kb, ap);
                }
                for (int j = 0; j < N; j += NR) {
                    int cols = Math.min(NR, N - j);
                    int bi = k0 * nPad + j * kb;
                    for (int r = 0; r < rows; r += MR) {
                        int ci = transC ? cOff + j * ldc + i0 + r : cOff + (i0 + r) * ldc + j;
                        int tileRows = Math.min(MR, rows - r);
                        boolean full = tileRows == MR && cols == NR && !transC;
                        // Edge tiles are computed whole into a scratch tile, then only the valid part is merged.
                        float[] dst = full ? c : tile;
                        int di = full ? ci : 0;
                        int ldd = full ? ldc : NR;
                        boolean loadDst = full && load;
                        if (transA) {
                            SgemmKernel.kernelCols(kb, at, r * kb, MR, bp, bi, dst, di, ldd, loadDst);
                        } else if (r < edge) {
                            SgemmKernel.kernelRows(kb, a, aOff + (i0 + r) * lda + k0, lda, bp, bi, dst, di, ldd, loadDst);
                        } else {
                            SgemmKernel.kernelRows(kb, ap, 0, kb, bp, bi, dst, di, ldd, loadDst);
                        }
                        if (!full) {
                            mergeTile(tile, c, ci, ldc, tileRows, cols, load, transC);
                        }
                    }
                }
            }
        }
    }

    /**
     * Merges the valid tileRows x cols part of a scratch tile (MR x NR) into C at c[ci..], added when load; with
     * transC, tile row ti goes to C's column ti.
     */
    private static void mergeTile(float[] tile, float[] c, int ci, int ldc, int tileRows, int cols, boolean load,
                                  boolean transC) {
        // each line of C is a contiguous run: a tile row, or with transC a tile column
        int lines = transC ? cols : tileRows;
        int run = transC ? tileRows : cols;
        int lineStep = transC ? 1 : NR;
        int step = transC ? NR : 1;
        for (int l = 0; l < lines; l++) {
            for (int e = 0, at = ci + l * ldc; e < run; e++) {
                float t = tile[l * lineStep + e * step];
                c[at + e] = load ? c[at + e] + t : t;
            }
        }
    }

    /**
     * Whether to compute C^T instead: that packs op(A) rather than the wider op(B), but stores every tile
     * transposed element by element once per K block, which only pays when a whole K block of multiply-adds
     * stands behind each store (attention's head-sized K does not). Each element's sum runs in the same
     * order either way.
     */
    private static boolean transposeSaves(int M, int N, int K) {
        return N > M && K >= KC;
    }

    /** The K block for K (> 0): at most KC, and K split evenly, so there is no thin last block. */
    private static int kBlock(int K) {
        int kBlocks = (K + KC - 1) / KC;
        return (K + kBlocks - 1) / kBlocks;
    }

    private static int minChunk(long workPerItem) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, MIN_CHUNK_WORK / Math.max(1, workPerItem)));
    }
}
