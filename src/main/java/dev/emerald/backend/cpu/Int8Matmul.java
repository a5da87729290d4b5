package dev.emerald.backend.cpu;

import static dev.emerald.backend.cpu.SgemmKernel.L;
import static dev.emerald.backend.cpu.SgemmKernel.MR;
import static dev.emerald.backend.cpu.SgemmKernel.S;

import dev.emerald.util.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * out (N, OC) = inp (N, C) @ (scales * wq)^T + bias for int8 weights wq (OC, C) with one scale per row.
 * Decoding, a few rows of inp, is bound by reading the weights: each row of wq is read once, a vector of
 * bytes at a time widened to floats, and dotted with every row of inp, so a quarter of the float
 * matmul's bytes cross the memory bus. More rows are bound by multiply-adds: blocks of wq's rows are
 * dequantized into a float scratch and multiplied by {@link Sgemm}.
 */
final class Int8Matmul {
    /** The bytes one float vector is widened from. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE));
    /** Below this many multiply-adds per chunk, another thread costs more than it saves. */
    private static final long MIN_CHUNK_WORK = 1L << 16;
    /** Most floats of wq dequantized at once: the scratch stays small next to the weights it stands for. */
    private static final int BLOCK_FLOATS = 1 << 20;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private Int8Matmul() {
    }

    static void forward(float[] out, int oo, float[] inp, int io, byte[] wq, int wo, float[] scales, int so,
                        float[] bias, int bo, int N, int C, int OC) {
        if (N < MR) {
            int minChunk = (int) Math.max(4, MIN_CHUNK_WORK / ((long) N * C));
            Parallel.range(OC, minChunk, (o0, o1) -> decode(out, oo, inp, io, wq, wo, scales, so, bias, bo, N, C, OC, o0, o1));
            return;
        }
        int rows = Math.max(1, Math.min(OC, BLOCK_FLOATS / Math.max(1, C)));
        float[] w = scratch(rows * C);
        for (int o0 = 0; o0 < OC; o0 += rows) {
            int n = Math.min(rows, OC - o0), first = o0;
            Parallel.range(n, 16, (r0, r1) -> dequantize(wq, wo + first * C, scales, so + first, r0, r1, C, w));
            if (bias != null) {
                for (int i = 0; i < N; i++) {
                    System.arraycopy(bias, bo + o0, out, oo + i * OC + o0, n);
                }
            }
            Sgemm.gemm(false, true, N, n, C, inp, io, C, w, 0, C, bias != null, out, oo + o0, OC);
        }
    }

    /**
     * Rows [o0, o1) of out's columns: four rows of wq at a time (the last group repeats its final row
     * rather than have a second loop), each dotted with every row of inp while it is in L1.
     */
    private static void decode(float[] out, int oo, float[] inp, int io, byte[] wq, int wo, float[] scales, int so,
                               float[] bias, int bo, int N, int C, int OC, int o0, int o1) {
        int kv = C - C % L;
        for (int o = o0; o < o1; o += 4) {
            int last = o1 - 1;
            int r0 = wo + o * C, r1 = wo + Math.min(o + 1, last) * C;
            int r2 = wo + Math.min(o + 2, last) * C, r3 = wo + Math.min(o + 3, last) * C;
            for (int i = 0; i < N; i++) {
                int x = io + i * C;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int k = 0; k < kv; k += L) {
                    FloatVector xv = FloatVector.fromArray(S, inp, x + k);
                    s0 = widen(wq, r0 + k).fma(xv, s0);
                    s1 = widen(wq, r1 + k).fma(xv, s1);
                    s2 = widen(wq, r2 + k).fma(xv, s2);
                    s3 = widen(wq, r3 + k).fma(xv, s3);
                }
                float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
                float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
                for (int k = kv; k < C; k++) {
                    float xk = inp[x + k];
                    d0 += xk * wq[r0 + k];
                    d1 += xk * wq[r1 + k];
                    d2 += xk * wq[r2 + k];
                    d3 += xk * wq[r3 + k];
                }
                int row = oo + i * OC;
                put(out, row, o, last, d0, scales, so, bias, bo);
                put(out, row, o + 1, last, d1, scales, so, bias, bo);
                put(out, row, o + 2, last, d2, scales, so, bias, bo);
                put(out, row, o + 3, last, d3, scales, so, bias, bo);
            }
        }
    }

    /** out[row + o] = dot * scale + bias of column o, unless o is past the chunk (a repeated row). */
    private static void put(float[] out, int row, int o, int last, float dot, float[] scales, int so, float[] bias, int bo) {
        if (o <= last) {
            out[row + o] = dot * scales[so + o] + (bias == null ? 0f : bias[bo + o]);
        }
    }

    private static FloatVector widen(byte[] wq, int at) {
        return (FloatVector) ByteVector.fromArray(B, wq, at).convertShape(VectorOperators.B2F, S, 0);
    }

    /** w[r * C ..] = scales[r] * wq row r, for rows [r0, r1) of the block. */
    private static void dequantize(byte[] wq, int wo, float[] scales, int so, int r0, int r1, int C, float[] w) {
        int kv = C - C % L;
        for (int r = r0; r < r1; r++) {
            float s = scales[so + r];
            int q = wo + r * C, d = r * C, k = 0;
            for (; k < kv; k += L) {
                widen(wq, q + k).mul(s).intoArray(w, d + k);
            }
            for (; k < C; k++) {
                w[d + k] = wq[q + k] * s;
            }
        }
    }

    private static float[] scratch(int n) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }
}
