package dev.emerald.backend.cpu;

import dev.emerald.util.Parallel;

import java.util.Arrays;

/**
 * Causal multi-head attention as GEMMs, one (batch, head) per task: query rows go in blocks of
 * {@link #BLOCK}, and block [i0, i1) only meets keys [0, i1), so the causal triangle costs little more
 * than half of the full T x T. The state keeps the probabilities before dropout (B, NH, T, T), zero
 * above the diagonal; dropout is applied to a per-thread copy of the block, the backward recomputes its
 * mask. GEMMs called from a task run on that task's thread, so each head's sums have a fixed order.
 */
final class CpuAttention {
    /** Query rows per block: large enough for the GEMM's tiles, small enough that little of the triangle is wasted. */
    static final int BLOCK = 64;

    /** Per-thread scratch for a block of dropped probabilities, in a one-slot holder so it can grow. */
    private static final ThreadLocal<float[][]> DROPPED = ThreadLocal.withInitial(() -> new float[1][0]);

    private CpuAttention() {
    }

    /** out (B, T, C) from qkv (B, T, 3C); att (B, NH, T, T) receives the probabilities. */
    static void forward(float[] o, int oo, float[] a, int ao, float[] q, int qo, int B, int T, int C, int NH,
                        float dropout, long seed, long stream) {
        int hs = C / NH, C3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(hs));
        Parallel.range(B * NH, 1, (from, to) -> {
            float[] pd = dropout > 0 ? dropped(BLOCK * T) : null;
            for (int bh = from; bh < to; bh++) {
                int b = bh / NH, h = bh % NH;
                int qi = qo + b * T * C3 + h * hs, ki = qi + C, vi = qi + 2 * C, pi = ao + bh * T * T;
                for (int i0 = 0; i0 < T; i0 += BLOCK) {
                    int i1 = Math.min(T, i0 + BLOCK), m = i1 - i0;
                    Sgemm.gemm(false, true, m, i1, hs, q, qi + i0 * C3, C3, q, ki, C3, false, a, pi + i0 * T, T);
                    for (int t = i0; t < i1; t++) {
                        softmax(a, pi + t * T, t + 1, T, scale);
                    }
                    float[] p = a;
                    int po = pi + i0 * T;
                    if (pd != null) {
                        for (int t = i0; t < i1; t++) {
                            int row = (t - i0) * T;
                            VectorDropout.apply(a, pi + t * T, pd, row, t + 1, dropout, seed, stream, (long) (bh * T + t) * T);
                            Arrays.fill(pd, row + t + 1, row + i1, 0f);
                        }
                        p = pd;
                        po = 0;
                    }
                    Sgemm.gemm(false, false, m, hs, i1, p, po, T, q, vi, C3, false, o, oo + (b * T + i0) * C + h * hs, C);
                }
            }
        });
    }

    /**
     * dqkv (B, T, 3C) (overwritten) from dout (B, T, C), qkv and the forward's probabilities att;
     * datt (B, NH, T, T) is scratch for the scores' gradient.
     */
    static void backward(float[] dq, int dqo, float[] da, int dao, float[] d, int dOff, float[] q, int qo, float[] a, int ao,
                         int B, int T, int C, int NH, float dropout, long seed, long stream) {
        int hs = C / NH, C3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(hs));
        Parallel.range(B * NH, 1, (from, to) -> {
            float[] pd = dropout > 0 ? dropped(BLOCK * T) : null;
            for (int bh = from; bh < to; bh++) {
                int b = bh / NH, h = bh % NH;
                int qi = qo + b * T * C3 + h * hs, ki = qi + C, vi = qi + 2 * C, pi = ao + bh * T * T, dai = dao + bh * T * T;
                int dQi = dqo + b * T * C3 + h * hs, dKi = dQi + C, dVi = dQi + 2 * C, di = dOff + b * T * C + h * hs;
                // dK and dV gather from every query block after theirs
                for (int t = 0; t < T; t++) {
                    Arrays.fill(dq, dKi + t * C3, dKi + t * C3 + hs, 0f);
                    Arrays.fill(dq, dVi + t * C3, dVi + t * C3 + hs, 0f);
                }
                for (int i0 = 0; i0 < T; i0 += BLOCK) {
                    int i1 = Math.min(T, i0 + BLOCK), m = i1 - i0;
                    // the gradient of the dropped probabilities: dO V^T
                    Sgemm.gemm(false, true, m, i1, hs, d, di + i0 * C, C, q, vi, C3, false, da, dai + i0 * T, T);
                    float[] p = a;
                    int po = pi + i0 * T;
                    if (pd != null) {
                        // the forward's mask again: on the probabilities for dV, and on their gradient
                        for (int t = i0; t < i1; t++) {
                            long index = (long) (bh * T + t) * T;
                            int row = (t - i0) * T;
                            VectorDropout.apply(a, pi + t * T, pd, row, t + 1, dropout, seed, stream, index);
                            VectorDropout.apply(da, dai + t * T, da, dai + t * T, t + 1, dropout, seed, stream, index);
                            Arrays.fill(pd, row + t + 1, row + i1, 0f);
                        }
                        p = pd;
                        po = 0;
                    }
                    for (int t = i0; t < i1; t++) {
                        softmaxBackward(da, dai + t * T, a, pi + t * T, t + 1, i1, scale);
                    }
                    // dV[0, i1) += P^T dO, dQ = dS K, dK[0, i1) += dS^T Q
                    Sgemm.gemm(true, false, i1, hs, m, p, po, T, d, di + i0 * C, C, true, dq, dVi, C3);
                    Sgemm.gemm(false, false, m, hs, i1, da, dai + i0 * T, T, q, ki, C3, false, dq, dQi + i0 * C3, C3);
                    Sgemm.gemm(true, false, i1, hs, m, da, dai + i0 * T, T, q, qi + i0 * C3, C3, true, dq, dKi, C3);
                }
            }
        });
    }

    /** Row x[xi, xi + T): softmax of scale * x over the first n, zero after. */
    private static void softmax(float[] x, int xi, int n, int T, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[xi + j]);
        }
        float sum = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp((x[xi + j] - max) * scale);
            x[xi + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < n; j++) {
            x[xi + j] *= inv;
        }
        Arrays.fill(x, xi + n, xi + T, 0f);
    }

    /**
     * In place, row g[gi, gi + width) from the probabilities' gradient to the scores' (times scale), given the
     * probabilities p over the first n (the rest is zero: above the diagonal).
     */
    private static void softmaxBackward(float[] g, int gi, float[] p, int pi, int n, int width, float scale) {
        float dot = 0;
        for (int j = 0; j < n; j++) {
            dot += g[gi + j] * p[pi + j];
        }
        for (int j = 0; j < n; j++) {
            g[gi + j] = p[pi + j] * (g[gi + j] - dot) * scale;
        }
        Arrays.fill(g, gi + n, gi + width, 0f);
    }

    private static float[] dropped(int n) {
        float[][] holder = DROPPED.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }
}
