package dev.emerald.backend.cpu;

import dev.emerald.util.Parallel;

import java.util.Arrays;

/**
 * Causal multi-head attention as GEMMs, one (batch, head) per task: query rows go in blocks of
 * {@link #BLOCK}, and block [i0, i1) only meets keys [0, i1), so the causal triangle costs little more
 * than half of the full T x T. The state keeps the probabilities before dropout (B, NH, T, T), zero
 * above the diagonal; dropout is applied to a per-thread copy of the block, the backward recomputes its
 * mask. GEMMs called from a task run on that task's thread, so each head's sums have a fixed order.
 * Generation's cached attention runs the same per-head code on new queries at a position offset over the
 * cached keys and values (one query: two vector-matrix products per head).
 */
final class CpuAttention {
    /** Query rows per block: large enough for the GEMM's tiles, small enough that little of the triangle is wasted. */
    static final int BLOCK = 64;
    /** Below this many multiply-adds per chunk of heads, another thread costs more than it saves. */
    private static final long MIN_CHUNK_WORK = 1L << 17;

    /**
     * Per-thread scratch, in a one-slot holder so it can grow: a block of dropped probabilities in training, the
     * probabilities of {@link #forwardCached}.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private CpuAttention() {
    }

    /** Rows of a matrix held in an array: element (r, c) at a[off + r * ld + c]. */
    private record Rows(float[] a, int off, int ld) {
        int at(int r) {
            return off + r * ld;
        }
    }

    /** Dropout on the probabilities: row t's masks start at index base + t * (row stride); dropped is scratch for a block. */
    private record Dropout(float[] dropped, float p, long seed, long stream, long base) {
    }

    /** out (B, T, C) from qkv (B, T, 3C); att (B, NH, T, T) receives the probabilities. */
    static void forward(float[] o, int oo, float[] a, int ao, float[] q, int qo, int B, int T, int C, int NH,
                        float dropout, long seed, long stream) {
        int hs = C / NH, C3 = 3 * C;
        Parallel.range(B * NH, 1, (from, to) -> {
            float[] pd = dropout > 0 ? scratch(BLOCK * T) : null;
            for (int bh = from; bh < to; bh++) {
                int b = bh / NH, h = bh % NH;
                int qi = qo + b * T * C3 + h * hs, pi = ao + bh * T * T;
                Dropout drop = pd == null ? null : new Dropout(pd, dropout, seed, stream, (long) bh * T * T);
                head(new Rows(q, qi, C3), new Rows(q, qi + C, C3), new Rows(q, qi + 2 * C, C3), new Rows(a, pi, T),
                        new Rows(o, oo + b * T * C + h * hs, C), 0, T, hs, drop);
            }
        });
    }

    /**
     * out (T, C) for T new positions pos .. pos + T - 1 of one sequence, their queries the q part of qkv (T, 3C), over
     * the cached keys and values (pos + T, C).
     */
    static void forwardCached(float[] o, int oo, float[] q, int qo, float[] k, int ko, float[] v, int vo,
                              int pos, int T, int C, int NH) {
        int hs = C / NH, keys = pos + T;
        // one token's heads are a few microseconds of work: run them on this thread rather than wake another
        int minChunk = (int) Math.max(1, MIN_CHUNK_WORK / ((long) T * keys * hs));
        Parallel.range(NH, minChunk, (from, to) -> {
            float[] p = scratch(T * keys);
            for (int h = from; h < to; h++) {
                head(new Rows(q, qo + h * hs, 3 * C), new Rows(k, ko + h * hs, C), new Rows(v, vo + h * hs, C),
                        new Rows(p, 0, keys), new Rows(o, oo + h * hs, C), pos, T, hs, null);
            }
        });
    }

    /**
     * One head: T queries (rows of q) at positions pos .. pos + T - 1 over keys and values [0, pos + T), query t
     * seeing keys [0, pos + t]. Row t of p (at least pos + T wide) receives its probabilities, zero after the
     * diagonal; row t of out its output.
     */
    private static void head(Rows q, Rows k, Rows v, Rows p, Rows out, int pos, int T, int hs, Dropout drop) {
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int i0 = 0; i0 < T; i0 += BLOCK) {
            int i1 = Math.min(T, i0 + BLOCK), m = i1 - i0, keys = pos + i1;
            Sgemm.gemm(false, true, m, keys, hs, q.a, q.at(i0), q.ld, k.a, k.off, k.ld, false, p.a, p.at(i0), p.ld);
            for (int t = i0; t < i1; t++) {
                softmax(p.a, p.at(t), pos + t + 1, p.ld, scale);
            }
            Rows probs = new Rows(p.a, p.at(i0), p.ld);
            if (drop != null) {
                for (int t = i0; t < i1; t++) {
                    int row = (t - i0) * p.ld, n = pos + t + 1;
                    VectorDropout.apply(p.a, p.at(t), drop.dropped, row, n, drop.p, drop.seed, drop.stream, drop.base + (long) t * p.ld);
                    Arrays.fill(drop.dropped, row + n, row + keys, 0f);
                }
                probs = new Rows(drop.dropped, 0, p.ld);
            }
            Sgemm.gemm(false, false, m, hs, keys, probs.a, probs.off, probs.ld, v.a, v.off, v.ld, false, out.a, out.at(i0), out.ld);
        }
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
            float[] pd = dropout > 0 ? scratch(BLOCK * T) : null;
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

    private static float[] scratch(int n) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }
}
