package dev.emerald.backend.cpu;

import static dev.emerald.backend.cpu.SgemmKernel.MR;
import static dev.emerald.backend.cpu.SgemmKernel.NR;

import dev.emerald.util.Parallel;

/**
 * Row-major single-precision GEMM: C (M, N) = op(A) (M, K) @ op(B) (K, N), plus C's old value when
 * {@code accumulate}. op(X) is X, or X transposed when the flag says so; lda/ldb/ldc are row strides
 * of the arrays as stored.
 *
 * <p>GotoBLAS/BLIS layout: op(B) is packed once per call into NR-column panels (shared by all
 * threads), each thread packs KC x MC blocks of op(A) into MR-row panels, and {@link SgemmKernel}
 * multiplies a panel pair. Packing absorbs the transposes and zero-pads the edges, so one kernel
 * serves all four variants.
 */
public final class Sgemm {
    /** K block: an A micro-panel (MR x KC) stays in L1, a B micro-panel (KC x NR) in L1/L2. */
    static final int KC = 256;
    /** M block (multiple of MR): the packed A block (MC x KC) stays in L2. */
    static final int MC = 128;
    /** Below this many multiply-adds per chunk, another thread costs more than it saves. */
    private static final long MIN_CHUNK_WORK = 1L << 19;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread scratch, grown on demand and reused so steady-state calls do not allocate. */
    private static final class Buffers {
        float[] packedB = new float[0];
        float[] packedA = new float[MC * KC];
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
        if (M <= 0 || N <= 0) {
            return;
        }
        if (K <= 0) {
            if (!accumulate) {
                for (int i = 0; i < M; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + N, 0f);
                }
            }
            return;
        }
        int nPanels = (N + NR - 1) / NR;
        float[] bp = BUFFERS.get().packedB(nPanels * NR * K);
        int panelWork = NR * K;
        Parallel.range(nPanels, minChunk(panelWork), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                SgemmPack.packB(transB, b, bOff, ldb, K, N, p * NR, bp, p * NR * K);
            }
        });

        // Spread M over the threads, in blocks of at most MC rows, rounded to whole micro-panels.
        int mc = Math.min(MC, roundUp((M + Parallel.threads() - 1) / Parallel.threads(), MR));
        int mBlocks = (M + mc - 1) / mc;
        Parallel.range(mBlocks, minChunk((long) mc * N * K), (b0, b1) -> {
            Buffers buf = BUFFERS.get();
            for (int blk = b0; blk < b1; blk++) {
                int i0 = blk * mc;
                multiplyBlock(transA, a, aOff, lda, i0, Math.min(mc, M - i0), N, K, bp, nPanels,
                        accumulate, c, cOff, ldc, buf);
            }
        });
    }

    /** C rows [i0, i0 + rows) over all K blocks. */
    private static void multiplyBlock(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int N, int K,
                                      float[] bp, int nPanels, boolean accumulate, float[] c, int cOff, int ldc,
                                      Buffers buf) {
        float[] ap = buf.packedA;
        float[] tile = buf.tile;
        for (int pc = 0; pc < K; pc += KC) {
            int kc = Math.min(KC, K - pc);
            SgemmPack.packA(transA, a, aOff, lda, i0, rows, pc, kc, ap);
            boolean load = accumulate || pc > 0;
            for (int p = 0; p < nPanels; p++) {
                int j = p * NR;
                int cols = Math.min(NR, N - j);
                int bi = p * NR * K + pc * NR;
                for (int r = 0; r < rows; r += MR) {
                    int ai = r * kc;
                    int ci = cOff + (i0 + r) * ldc + j;
                    int tileRows = Math.min(MR, rows - r);
                    if (tileRows == MR && cols == NR) {
                        SgemmKernel.kernel(kc, ap, ai, bp, bi, c, ci, ldc, load);
                    } else {
                        // Edge tile: compute the full padded tile aside, then merge its valid part.
                        SgemmKernel.kernel(kc, ap, ai, bp, bi, tile, 0, NR, false);
                        for (int ti = 0; ti < tileRows; ti++) {
                            int row = ci + ti * ldc;
                            for (int tj = 0; tj < cols; tj++) {
                                c[row + tj] = load ? c[row + tj] + tile[ti * NR + tj] : tile[ti * NR + tj];
                            }
                        }
                    }
                }
            }
        }
    }

    private static int minChunk(long workPerItem) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, MIN_CHUNK_WORK / Math.max(1, workPerItem)));
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
