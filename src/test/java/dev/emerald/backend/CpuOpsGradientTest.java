package dev.emerald.backend;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.emerald.backend.GradCheck.assertClose;
import static dev.emerald.backend.GradCheck.numeric;
import static dev.emerald.backend.GradCheck.toDouble;
import static dev.emerald.backend.ReferenceOps.refLayernorm;
import static dev.emerald.backend.ReferenceOps.refMatmul;
import static dev.emerald.backend.ReferenceOps.refAttention;
import static dev.emerald.backend.ReferenceOps.refGelu;
import static dev.emerald.backend.ReferenceOps.refRelu;
import static dev.emerald.backend.ReferenceOps.refEncoder;
import static dev.emerald.backend.ReferenceOps.refMeanLoss;
import static org.junit.jupiter.api.Assertions.assertEquals;


/**
 * Each op's forward against a naive double-precision reference written here, and its backward against
 * central finite differences of that reference, on tiny awkward shapes.
 */
class CpuOpsGradientTest {

    private static final double EPS = 1e-6, RTOL = 2e-3, ATOL = 2e-5;
    private final Backend be = new CpuBackend();
    private final Rng rng = Rng.of(7);

    private float[] randn(int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (std * rng.nextGaussian());
        }
        return x;
    }

    private Tensor up(float[] x) {
        Tensor t = be.alloc(x.length);
        be.upload(t, x);
        return t;
    }

    private float[] down(Tensor t) {
        float[] x = new float[t.len()];
        be.download(t, x);
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    // ---- layernorm --------------------------------------------------------------------------

    /** C = 37: whole vectors and a tail (the backend's vector width is 4 to 16 floats). */
    @ParameterizedTest
    @ValueSource(ints = {7, 37})
    void layernorm(int C) {
        int N = 5;
        float[] x = randn(N * C, 1.5), w = randn(C, 1), b = randn(C, 1), r = randn(N * C, 1);
        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b), rd = toDouble(r);
        Tensor out = be.alloc(N * C), mean = be.alloc(N), rstd = be.alloc(N), tx = up(x), tw = up(w), tb = up(b);
        be.layernormForward(out, mean, rstd, tx, tw, tb, N, C);
        assertClose("layernorm out", refLayernorm(xd, wd, bd, N, C), down(out), 1e-5, 1e-5);

        Tensor dx = up(new float[N * C]), dw = be.alloc(C), db = be.alloc(C);
        be.layernormBackward(dx, dw, db, up(r), tx, tw, mean, rstd, N, C);
        assertClose("layernorm dinp", numeric(v -> dot(rd, refLayernorm(v, wd, bd, N, C)), xd, EPS), down(dx), RTOL, ATOL);
        assertClose("layernorm dweight", numeric(v -> dot(rd, refLayernorm(xd, v, bd, N, C)), wd, EPS), down(dw), RTOL, ATOL);
        assertClose("layernorm dbias", numeric(v -> dot(rd, refLayernorm(xd, wd, v, N, C)), bd, EPS), down(db), RTOL, ATOL);
    }

    @Test
    void layernormBackwardAccumulates() {
        int N = 3, C = 5;
        float[] x = randn(N * C, 1), w = randn(C, 1), b = randn(C, 1), r = randn(N * C, 1), base = randn(N * C, 1);
        Tensor mean = be.alloc(N), rstd = be.alloc(N), tx = up(x), tw = up(w);
        be.layernormForward(be.alloc(N * C), mean, rstd, tx, tw, up(b), N, C);
        Tensor fresh = be.alloc(N * C), onBase = up(base);
        be.layernormBackward(fresh, be.alloc(C), be.alloc(C), up(r), tx, tw, mean, rstd, N, C);
        be.layernormBackward(onBase, be.alloc(C), be.alloc(C), up(r), tx, tw, mean, rstd, N, C);
        float[] f = down(fresh), o = down(onBase);
        double[] expected = new double[N * C];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (double) base[i] + f[i];
        }
        assertClose("layernorm dinp += ", expected, o, 1e-6, 1e-6);
    }

    // ---- matmul -----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void matmul(boolean withBias) {
        int N = 6, C = 5, OC = 21; // OC: a whole vector of bias gradients and a part of one
        float[] x = randn(N * C, 1), w = randn(OC * C, 0.5), b = randn(OC, 1), r = randn(N * OC, 1);
        double[] xd = toDouble(x), wd = toDouble(w), bd = withBias ? toDouble(b) : null, rd = toDouble(r);
        Tensor out = be.alloc(N * OC), tx = up(x), tw = up(w), tb = withBias ? up(b) : null;
        be.matmulForward(out, tx, tw, tb, N, C, OC);
        assertClose("matmul out", refMatmul(xd, wd, bd, N, C, OC), down(out), 1e-5, 1e-5);

        Tensor dx = be.alloc(N * C), dw = be.alloc(OC * C), db = withBias ? be.alloc(OC) : null;
        be.matmulBackward(dx, dw, db, up(r), tx, tw, N, C, OC);
        assertClose("matmul dinp", numeric(v -> dot(rd, refMatmul(v, wd, bd, N, C, OC)), xd, EPS), down(dx), RTOL, ATOL);
        assertClose("matmul dweight", numeric(v -> dot(rd, refMatmul(xd, v, bd, N, C, OC)), wd, EPS), down(dw), RTOL, ATOL);
        if (withBias) {
            assertClose("matmul dbias", numeric(v -> dot(rd, refMatmul(xd, wd, v, N, C, OC)), bd, EPS), down(db), RTOL, ATOL);
        }
    }

    // ---- attention --------------------------------------------------------------------------

    /** The dropout multipliers of the attention probabilities: 1/(1-p) where kept, 0 where dropped. */
    private static double[] attentionMask(int n, float dropout, long seed, long stream) {
        double[] mask = new double[n];
        for (int i = 0; i < n; i++) {
            mask[i] = dropout == 0 ? 1 : DropoutRng.uniform(seed, stream, i) >= dropout ? 1 / (1 - (double) dropout) : 0;
        }
        return mask;
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.3f})
    void attention(float dropout) {
        int B = 2, T = 5, C = 6, NH = 2;
        long seed = 99, stream = 4;
        float[] qkv = randn(B * T * 3 * C, 1), r = randn(B * T * C, 1);
        double[] qd = toDouble(qkv), rd = toDouble(r);
        double[] mask = attentionMask(B * NH * T * T, dropout, seed, stream);
        Tensor out = be.alloc(B * T * C), att = be.alloc(be.attentionStateSize(B, T, C, NH)), tq = up(qkv);
        be.attentionForward(out, att, tq, B, T, C, NH, dropout, seed, stream);
        assertClose("attention out", refAttention(qd, B, T, C, NH, mask), down(out), 1e-5, 1e-5);

        Tensor dqkv = up(randn(B * T * 3 * C, 1)); // garbage: the op overwrites
        be.attentionBackward(dqkv, be.alloc(be.attentionScratchSize(B, T, C, NH)), up(r), out, tq, att, B, T, C, NH,
                dropout, seed, stream);
        assertClose("attention dqkv", numeric(v -> dot(rd, refAttention(v, B, T, C, NH, mask)), qd, EPS), down(dqkv), RTOL, ATOL);
    }

    /**
     * Longer sequences than one block of query rows of the CPU's blocked attention (64), ending mid-block:
     * the forward against the reference, the backward along random directions (a full finite-difference
     * gradient would take minutes at this size).
     */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.25f})
    void attentionAcrossQueryBlocks(float dropout) {
        int B = 1, T = 150, C = 40, NH = 2;
        long seed = 5, stream = 1;
        float[] qkv = randn(B * T * 3 * C, 1), r = randn(B * T * C, 1);
        double[] qd = toDouble(qkv), rd = toDouble(r);
        double[] mask = attentionMask(B * NH * T * T, dropout, seed, stream);
        Tensor out = be.alloc(B * T * C), att = be.alloc(be.attentionStateSize(B, T, C, NH)), tq = up(qkv);
        be.attentionForward(out, att, tq, B, T, C, NH, dropout, seed, stream);
        assertClose("attention out", refAttention(qd, B, T, C, NH, mask), down(out), 1e-5, 1e-5);

        Tensor dqkv = up(randn(B * T * 3 * C, 1));
        be.attentionBackward(dqkv, be.alloc(be.attentionScratchSize(B, T, C, NH)), up(r), out, tq, att, B, T, C, NH,
                dropout, seed, stream);
        double[] g = toDouble(down(dqkv));
        for (int k = 0; k < 3; k++) {
            double[] u = toDouble(randn(qd.length, 1)), plus = qd.clone(), minus = qd.clone();
            double h = 1e-4;
            for (int i = 0; i < u.length; i++) {
                plus[i] += h * u[i];
                minus[i] -= h * u[i];
            }
            double numeric = (dot(rd, refAttention(plus, B, T, C, NH, mask)) - dot(rd, refAttention(minus, B, T, C, NH, mask))) / (2 * h);
            assertEquals(numeric, dot(g, u), 1e-4 * Math.abs(numeric) + 1e-3, "directional derivative " + k);
        }
    }

    // ---- pointwise and embeddings -----------------------------------------------------------

    @Test
    void gelu() {
        int n = 37; // not a multiple of the vector length: exercises the tail
        float[] x = randn(n, 2), r = randn(n, 1);
        double[] xd = toDouble(x), rd = toDouble(r);
        Tensor out = be.alloc(n), tx = up(x), dx = be.alloc(n);
        be.geluForward(out, tx, n);
        assertClose("gelu out", refGelu(xd), down(out), 1e-5, 1e-6);
        be.geluBackward(dx, tx, up(r), n);
        assertClose("gelu dinp", numeric(v -> dot(rd, refGelu(v)), xd, EPS), down(dx), RTOL, ATOL);
    }

    @Test
    void relu() {
        int n = 29;
        float[] x = randn(n, 1), r = randn(n, 1);
        for (int i = 0; i < n; i++) {
            x[i] += Math.signum(x[i]) * 0.01f; // away from the kink, where differences are defined
        }
        double[] xd = toDouble(x), rd = toDouble(r);
        Tensor out = be.alloc(n), tx = up(x), dx = be.alloc(n);
        be.reluForward(out, tx, n);
        assertClose("relu out", refRelu(xd), down(out), 0, 0);
        be.reluBackward(dx, tx, up(r), n);
        assertClose("relu dinp", numeric(v -> dot(rd, refRelu(v)), xd, EPS), down(dx), RTOL, ATOL);
    }

    @Test
    void encoder() {
        int B = 2, T = 4, C = 3, V = 5, maxT = 6;
        int[] tokens = {1, 4, 1, 0, 3, 3, 2, 1};
        float[] wte = randn(V * C, 1), wpe = randn(maxT * C, 1), r = randn(B * T * C, 1);
        double[] ed = toDouble(wte), pd = toDouble(wpe), rd = toDouble(r);
        Tensor out = be.alloc(B * T * C), te = up(wte), tp = up(wpe);
        be.encoderForward(out, tokens, te, tp, B, T, C);
        assertClose("encoder out", refEncoder(ed, pd, tokens, B, T, C), down(out), 1e-6, 1e-6);
        Tensor dwte = be.alloc(V * C), dwpe = be.alloc(maxT * C);
        be.encoderBackward(dwte, dwpe, up(r), tokens, B, T, C);
        assertClose("encoder dwte", numeric(v -> dot(rd, refEncoder(v, pd, tokens, B, T, C)), ed, EPS), down(dwte), RTOL, ATOL);
        assertClose("encoder dwpe", numeric(v -> dot(rd, refEncoder(ed, v, tokens, B, T, C)), pd, EPS), down(dwpe), RTOL, ATOL);
    }

    // ---- loss -------------------------------------------------------------------------------

    @Test
    void crossEntropy() {
        int N = 5, V = 11;
        int[] targets = {3, -1, 10, 0, 7};
        float[] z = randn(N * V, 3);
        double[] zd = toDouble(z);
        Tensor logits = up(z), losses = be.alloc(N);
        be.crossEntropyForward(losses, logits, targets, N, V);
        float[] l = down(losses);
        double mean = (l[0] + l[2] + l[3] + l[4]) / 4.0;
        org.junit.jupiter.api.Assertions.assertEquals(refMeanLoss(zd, targets, N, V), mean, 1e-5);
        org.junit.jupiter.api.Assertions.assertEquals(0f, l[1]);
        Tensor dz = be.alloc(N * V);
        be.crossEntropyBackward(dz, logits, targets, 1f / 4, N, V);
        assertClose("cross-entropy dlogits", numeric(v -> refMeanLoss(v, targets, N, V), zd, EPS), down(dz), RTOL, ATOL);
    }

    // ---- dropout ----------------------------------------------------------------------------

    @Test
    void dropoutKeepsTheExpectedShareAndScales() {
        int n = 100_000;
        float p = 0.2f;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        Tensor x = up(ones);
        be.dropout(x, n, p, 5, 1);
        float[] y = down(x);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] != 0) {
                kept++;
                org.junit.jupiter.api.Assertions.assertEquals(1 / (1 - p), y[i], 1e-6);
            }
            org.junit.jupiter.api.Assertions.assertEquals(DropoutRng.uniform(5, 1, i) >= p, y[i] != 0, "element " + i);
        }
        // binomial(n, 0.8): 5 standard deviations is about 630
        org.junit.jupiter.api.Assertions.assertEquals(0.8 * n, kept, 630);
    }
}
