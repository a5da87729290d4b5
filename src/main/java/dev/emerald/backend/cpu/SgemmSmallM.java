package dev.emerald.backend.cpu;

import static dev.emerald.backend.cpu.SgemmKernel.L;
import static dev.emerald.backend.cpu.SgemmKernel.S;

import dev.emerald.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * GEMM for a few rows of C (generation with one token, tiny batches): each row of C is a
 * vector-matrix product, streamed once over B, where the blocked path would pad the rows (or, after
 * its transpose, the columns) out to a whole register tile.
 */
final class SgemmSmallM {
    /** Below this many multiply-adds per chunk, another thread costs more than it saves. */
    private static final long MIN_CHUNK_WORK = 1L << 18;

    /** Per-thread copy of one row of op(A) (in a one-slot holder so it can grow), reused across calls. */
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    private SgemmSmallM() {
    }

    static void gemm(boolean transA, boolean transB, int M, int N, int K, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
        int minChunk = (int) Math.max(1, MIN_CHUNK_WORK / ((long) M * K));
        Parallel.range(N, minChunk, (j0, j1) -> {
            float[] row = row(K);
            for (int i = 0; i < M; i++) {
                // op(A) row i, made contiguous so both products below read it with vector loads.
                for (int k = 0; k < K; k++) {
                    row[k] = transA ? a[aOff + k * lda + i] : a[aOff + i * lda + k];
                }
                int ci = cOff + i * ldc;
                if (transB) {
                    dots(row, K, b, bOff, ldb, j0, j1, accumulate, c, ci);
                } else {
                    axpys(row, K, b, bOff, ldb, j0, j1, accumulate, c, ci);
                }
            }
        });
    }

    private static float[] row(int k) {
        float[][] holder = ROW.get();
        if (holder[0].length < k) {
            holder[0] = new float[k];
        }
        return holder[0];
    }

    /** c[ci + j] (+)= row . B row j (B stored (N, K)), for j in [j0, j1): four dot products at a time. */
    private static void dots(float[] row, int K, float[] b, int bOff, int ldb, int j0, int j1, boolean accumulate,
                             float[] c, int ci) {
        int kv = K - K % L;
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            int b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0; k < kv; k += L) {
                FloatVector x = FloatVector.fromArray(S, row, k);
                s0 = FloatVector.fromArray(S, b, b0 + k).fma(x, s0);
                s1 = FloatVector.fromArray(S, b, b1 + k).fma(x, s1);
                s2 = FloatVector.fromArray(S, b, b2 + k).fma(x, s2);
                s3 = FloatVector.fromArray(S, b, b3 + k).fma(x, s3);
            }
            float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
            float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
            for (int k = kv; k < K; k++) {
                d0 += row[k] * b[b0 + k];
                d1 += row[k] * b[b1 + k];
                d2 += row[k] * b[b2 + k];
                d3 += row[k] * b[b3 + k];
            }
            store(c, ci + j, d0, accumulate);
            store(c, ci + j + 1, d1, accumulate);
            store(c, ci + j + 2, d2, accumulate);
            store(c, ci + j + 3, d3, accumulate);
        }
        for (; j < j1; j++) {
            int bj = bOff + j * ldb;
            FloatVector s = FloatVector.zero(S);
            for (int k = 0; k < kv; k += L) {
                s = FloatVector.fromArray(S, b, bj + k).fma(FloatVector.fromArray(S, row, k), s);
            }
            float d = s.reduceLanes(VectorOperators.ADD);
            for (int k = kv; k < K; k++) {
                d += row[k] * b[bj + k];
            }
            store(c, ci + j, d, accumulate);
        }
    }

    private static void store(float[] c, int i, float v, boolean accumulate) {
        c[i] = accumulate ? c[i] + v : v;
    }

    /**
     * c[ci + j] (+)= sum_k row[k] * B[k][j] (B stored (K, N)), for j in [j0, j1): four vectors of j at a time, then
     * one (masked) at a time. Two small loops rather than one of four masked vectors: C1 runs out of registers on
     * that, and a method C1 cannot compile never reaches C2, which alone turns the Vector API into vector code.
     */
    private static void axpys(float[] row, int K, float[] b, int bOff, int ldb, int j0, int j1, boolean accumulate,
                              float[] c, int ci) {
        int j = j0;
        for (; j + 4 * L <= j1; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0, bk = bOff + j; k < K; k++, bk += ldb) {
                FloatVector x = FloatVector.broadcast(S, row[k]);
                s0 = FloatVector.fromArray(S, b, bk).fma(x, s0);
                s1 = FloatVector.fromArray(S, b, bk + L).fma(x, s1);
                s2 = FloatVector.fromArray(S, b, bk + 2 * L).fma(x, s2);
                s3 = FloatVector.fromArray(S, b, bk + 3 * L).fma(x, s3);
            }
            int o = ci + j;
            if (accumulate) {
                s0 = s0.add(FloatVector.fromArray(S, c, o));
                s1 = s1.add(FloatVector.fromArray(S, c, o + L));
                s2 = s2.add(FloatVector.fromArray(S, c, o + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, c, o + 3 * L));
            }
            s0.intoArray(c, o);
            s1.intoArray(c, o + L);
            s2.intoArray(c, o + 2 * L);
            s3.intoArray(c, o + 3 * L);
        }
        for (; j < j1; j += L) {
            VectorMask<Float> m = S.indexInRange(j, j1);
            FloatVector s = FloatVector.zero(S);
            for (int k = 0, bk = bOff + j; k < K; k++, bk += ldb) {
                s = FloatVector.fromArray(S, b, bk, m).fma(FloatVector.broadcast(S, row[k]), s);
            }
            if (accumulate) {
                s = s.add(FloatVector.fromArray(S, c, ci + j, m));
            }
            s.intoArray(c, ci + j, m);
        }
    }
}
