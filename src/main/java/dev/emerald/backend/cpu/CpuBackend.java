package dev.emerald.backend.cpu;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.emerald.backend.cpu.CpuStorage.of;

/**
 * The pure-Java backend: GEMMs through {@link Sgemm}, everything else row- or head-parallel with the
 * Vector API where the loop is hot. Reductions over rows (weight and bias gradients, norms) are
 * split by column or by fixed blocks, so results do not depend on scheduling.
 */
public final class CpuBackend implements Backend {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int SUM_BLOCK = 1 << 14;

    private double[] partials = new double[0];

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Tensor alloc(long n) {
        return new Tensor(new CpuStorage(new float[Math.toIntExact(n)]), 0, n);
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        System.arraycopy(src, 0, of(dst), dst.off(), dst.len());
    }

    @Override
    public Tensor allocInt8(long n) {
        return new Tensor(new CpuInt8Storage(new byte[Math.toIntExact(n)]), 0, n);
    }

    @Override
    public void uploadInt8(Tensor dst, byte[] src) {
        System.arraycopy(src, 0, CpuInt8Storage.bytes(dst), dst.off(), dst.len());
    }

    @Override
    public void download(Tensor src, float[] dst) {
        System.arraycopy(of(src), src.off(), dst, 0, src.len());
    }

    @Override
    public void zero(Tensor t) {
        Arrays.fill(of(t), t.off(), t.off() + t.len(), 0f);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        System.arraycopy(of(src), src.off(), of(dst), dst.off(), src.len());
    }

    // ---- embeddings -------------------------------------------------------------------------

    @Override
    public void encoderForward(Tensor out, int[] tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        float[] o = of(out), e = of(wte), p = of(wpe);
        int oo = out.off(), eo = wte.off(), po = wpe.off();
        Parallel.range(B * T, 64, (from, to) -> {
            for (int bt = from; bt < to; bt++) {
                int te = eo + tokens[bt] * C, pe = po + (bt % T) * C, ob = oo + bt * C;
                for (int c = 0; c < C; c++) {
                    o[ob + c] = e[te + c] + p[pe + c];
                }
            }
        });
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, int[] tokens, int B, int T, int C) {
        float[] dw = of(dwte), dp = of(dwpe), d = of(dout);
        int wo = dwte.off(), po = dwpe.off(), doff = dout.off();
        // split by column: every thread owns whole columns, so the scatter needs no atomics and keeps its order
        Parallel.range(C, 16, (c0, c1) -> {
            for (int bt = 0; bt < B * T; bt++) {
                int src = doff + bt * C, we = wo + tokens[bt] * C, pe = po + (bt % T) * C;
                for (int c = c0; c < c1; c++) {
                    dw[we + c] += d[src + c];
                    dp[pe + c] += d[src + c];
                }
            }
        });
    }

    // ---- layernorm --------------------------------------------------------------------------

    @Override
    public void layernormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor w, Tensor b, int N, int C) {
        CpuLayernorm.forward(of(out), out.off(), of(mean), mean.off(), of(rstd), rstd.off(), of(inp), inp.off(), of(w), w.off(),
                of(b), b.off(), N, C);
    }

    @Override
    public void layernormBackward(Tensor dinp, Tensor dw, Tensor db, Tensor dout, Tensor inp, Tensor w,
                                  Tensor mean, Tensor rstd, int N, int C) {
        CpuLayernorm.backward(of(dinp), dinp.off(), of(dw), dw.off(), of(db), db.off(), of(dout), dout.off(), of(inp), inp.off(),
                of(w), w.off(), of(mean), mean.off(), of(rstd), rstd.off(), N, C);
    }

    // ---- matmul -----------------------------------------------------------------------------

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor w, Tensor bias, int N, int C, int OC) {
        float[] o = of(out);
        int oo = out.off();
        if (bias != null) {
            float[] ba = of(bias);
            int bo = bias.off();
            Parallel.range(N, 64, (from, to) -> {
                for (int i = from; i < to; i++) {
                    System.arraycopy(ba, bo, o, oo + i * OC, OC);
                }
            });
        }
        Sgemm.gemm(false, true, N, OC, C, of(inp), inp.off(), C, of(w), w.off(), C, bias != null, o, oo, OC);
    }

    @Override
    public void matmulForwardInt8(Tensor out, Tensor inp, Tensor wq, Tensor scales, Tensor bias, int N, int C, int OC) {
        Int8Matmul.forward(of(out), out.off(), of(inp), inp.off(), CpuInt8Storage.bytes(wq), wq.off(), of(scales), scales.off(),
                bias == null ? null : of(bias), bias == null ? 0 : bias.off(), N, C, OC);
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dw, Tensor dbias, Tensor dout, Tensor inp, Tensor w, int N, int C, int OC) {
        float[] d = of(dout);
        int dOff = dout.off();
        Sgemm.gemm(false, false, N, C, OC, d, dOff, OC, of(w), w.off(), C, false, of(dinp), dinp.off(), C);
        if (dbias == null) {
            Sgemm.gemm(true, false, OC, C, N, d, dOff, OC, of(inp), inp.off(), C, true, of(dw), dw.off(), C);
        } else {
            Sgemm.weightGradient(OC, C, N, d, dOff, OC, of(inp), inp.off(), C, of(dw), dw.off(), C, of(dbias), dbias.off());
        }
    }

    // ---- attention --------------------------------------------------------------------------

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH,
                                 float dropout, long seed, long stream) {
        CpuAttention.forward(of(out), out.off(), of(att), att.off(), of(qkv), qkv.off(), B, T, C, NH, dropout, seed, stream);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor datt, Tensor dout, Tensor out, Tensor qkv, Tensor att,
                                  int B, int T, int C, int NH, float dropout, long seed, long stream) {
        CpuAttention.backward(of(dqkv), dqkv.off(), of(datt), datt.off(), of(dout), dout.off(), of(qkv), qkv.off(),
                of(att), att.off(), B, T, C, NH, dropout, seed, stream);
    }

    @Override
    public void kvCacheWrite(Tensor keys, Tensor values, Tensor qkv, int T, int C) {
        float[] k = of(keys), v = of(values), x = of(qkv);
        for (int t = 0; t < T; t++) {
            int row = qkv.off() + t * 3 * C;
            System.arraycopy(x, row + C, k, keys.off() + t * C, C);
            System.arraycopy(x, row + 2 * C, v, values.off() + t * C, C);
        }
    }

    @Override
    public void cachedAttentionForward(Tensor out, Tensor qkv, Tensor keys, Tensor values, int pos, int T, int C, int NH) {
        CpuAttention.forwardCached(of(out), out.off(), of(qkv), qkv.off(), of(keys), keys.off(), of(values), values.off(),
                pos, T, C, NH);
    }

    // ---- pointwise --------------------------------------------------------------------------

    private static final float GELU_SCALE = (float) Math.sqrt(2.0 / Math.PI);

    @Override
    public void geluForward(Tensor out, Tensor inp, int n) {
        float[] o = of(out), x = of(inp);
        int oo = out.off(), xo = inp.off();
        Parallel.range(n, 4096, (from, to) -> {
            int i = from;
            for (; i < S.loopBound(to - from) + from; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                FloatVector cube = v.mul(v).mul(v).mul(0.044715f);
                FloatVector th = Tanh.tanh(v.add(cube).mul(GELU_SCALE));
                v.mul(0.5f).mul(th.add(1f)).intoArray(o, oo + i);
            }
            for (; i < to; i++) {
                float v = x[xo + i];
                o[oo + i] = 0.5f * v * (1f + Tanh.tanh((v + v * v * v * 0.044715f) * GELU_SCALE));
            }
        });
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, int n) {
        float[] di = of(dinp), x = of(inp), d = of(dout);
        int dio = dinp.off(), xo = inp.off(), dOff = dout.off();
        Parallel.range(n, 4096, (from, to) -> {
            int i = from;
            for (; i < S.loopBound(to - from) + from; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                FloatVector th = Tanh.tanh(v.add(v.mul(v).mul(v).mul(0.044715f)).mul(GELU_SCALE));
                FloatVector sech2 = th.mul(th).neg().add(1f);
                FloatVector dth = v.mul(v).mul(3f * 0.044715f).add(1f).mul(GELU_SCALE);
                FloatVector grad = th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(dth));
                grad.mul(FloatVector.fromArray(S, d, dOff + i)).intoArray(di, dio + i);
            }
            for (; i < to; i++) {
                float v = x[xo + i];
                float th = Tanh.tanh((v + v * v * v * 0.044715f) * GELU_SCALE);
                float dth = (v * v * (3f * 0.044715f) + 1f) * GELU_SCALE;
                float grad = (th + 1f) * 0.5f + v * 0.5f * (1f - th * th) * dth; // the vector lanes' op order
                di[dio + i] = grad * d[dOff + i];
            }
        });
    }

    @Override
    public void reluForward(Tensor out, Tensor inp, int n) {
        float[] o = of(out), x = of(inp);
        int oo = out.off(), xo = inp.off();
        Parallel.range(n, 8192, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(o, oo + i);
            }
            for (; i < to; i++) {
                o[oo + i] = Math.max(x[xo + i], 0f);
            }
        });
    }

    @Override
    public void reluBackward(Tensor dinp, Tensor inp, Tensor dout, int n) {
        float[] di = of(dinp), x = of(inp), d = of(dout);
        int dio = dinp.off(), xo = inp.off(), dOff = dout.off();
        // vector blends: a branch per element would be mispredicted about half the time
        Parallel.range(n, 8192, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                VectorMask<Float> positive = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
                FloatVector.zero(S).blend(FloatVector.fromArray(S, d, dOff + i), positive).intoArray(di, dio + i);
            }
            for (; i < to; i++) {
                di[dio + i] = x[xo + i] > 0 ? d[dOff + i] : 0f;
            }
        });
    }

    @Override
    public void residualForward(Tensor out, Tensor a, Tensor b, int n) {
        float[] o = of(out), x = of(a), y = of(b);
        int oo = out.off(), xo = a.off(), yo = b.off();
        Parallel.range(n, 8192, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[oo + i] = x[xo + i] + y[yo + i];
            }
        });
    }

    @Override
    public void accumulate(Tensor dst, Tensor src, int n) {
        float[] o = of(dst), x = of(src);
        int oo = dst.off(), xo = src.off();
        Parallel.range(n, 8192, (from, to) -> {
            for (int i = from; i < to; i++) {
                o[oo + i] += x[xo + i];
            }
        });
    }

    @Override
    public void dropout(Tensor x, int n, float p, long seed, long stream) {
        float[] a = of(x);
        int ao = x.off();
        Parallel.range(n, 8192, (from, to) -> VectorDropout.apply(a, ao + from, a, ao + from, to - from, p, seed, stream, from));
    }

    // ---- loss -------------------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Tensor losses, Tensor logits, int[] targets, int N, int V) {
        float[] l = of(losses), z = of(logits);
        int lo = losses.off(), zo = logits.off();
        Parallel.range(N, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                int row = zo + i * V;
                float max = Float.NEGATIVE_INFINITY;
                for (int v = 0; v < V; v++) {
                    max = Math.max(max, z[row + v]);
                }
                float sum = 0;
                for (int v = 0; v < V; v++) {
                    float e = (float) Math.exp(z[row + v] - max);
                    z[row + v] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int v = 0; v < V; v++) {
                    z[row + v] *= inv;
                }
                int target = targets[i];
                l[lo + i] = target < 0 ? 0f : (float) -Math.log(z[row + target]);
            }
        });
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor probs, int[] targets, float dloss, int N, int V) {
        float[] dz = of(dlogits), p = of(probs);
        int dzo = dlogits.off(), po = probs.off();
        Parallel.range(N, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                int target = targets[i];
                for (int v = 0; v < V; v++) {
                    dz[dzo + i * V + v] = target < 0 ? 0f : (p[po + i * V + v] - (v == target ? 1f : 0f)) * dloss;
                }
            }
        });
    }

    // ---- optimizer --------------------------------------------------------------------------

    @Override
    public double sumSquares(Tensor t) {
        float[] a = of(t);
        int ao = t.off(), n = t.len();
        int blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
        if (partials.length < blocks) {
            partials = new double[blocks];
        }
        double[] part = partials;
        // fixed blocks summed in order: the result does not depend on the number of threads
        Parallel.range(blocks, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int from = ao + b * SUM_BLOCK, to = Math.min(ao + n, from + SUM_BLOCK);
                double s = 0;
                for (int i = from; i < to; i++) {
                    s += (double) a[i] * a[i];
                }
                part[b] = s;
            }
        });
        double total = 0;
        for (int b = 0; b < blocks; b++) {
            total += part[b];
        }
        return total;
    }

    @Override
    public void scale(Tensor t, float s) {
        float[] a = of(t);
        int ao = t.off();
        Parallel.range(t.len(), 8192, (from, to) -> {
            for (int i = from; i < to; i++) {
                a[ao + i] *= s;
            }
        });
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float wd, float bc1, float bc2) {
        float[] p = of(param), g = of(grad), ma = of(m), va = of(v);
        int po = param.off(), go = grad.off(), mo = m.off(), vo = v.off();
        Parallel.range(param.len(), 8192, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[go + i];
                float mi = beta1 * ma[mo + i] + (1 - beta1) * gi;
                float vi = beta2 * va[vo + i] + (1 - beta2) * gi * gi;
                ma[mo + i] = mi;
                va[vo + i] = vi;
                float mhat = mi / bc1, vhat = vi / bc2;
                p[po + i] -= lr * (mhat / ((float) Math.sqrt(vhat) + eps) + wd * p[po + i]);
            }
        });
    }
}
