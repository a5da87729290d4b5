package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.backend.GradCheck;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA's adapter path against finite differences of its formula, and the adapted GPT against its base and its merged weights. */
class LoraTest {
    private static final Backend CPU = new CpuBackend();
    private static final LoraModel.Origin ORIGIN = new LoraModel.Origin("base", 0, "");

    private static float[] gaussian(int n, double std, long seed) {
        Rng rng = Rng.of(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (std * rng.nextGaussian());
        }
        return x;
    }

    private static Tensor tensor(float[] values) {
        Tensor t = CPU.alloc(values.length);
        CPU.upload(t, values);
        return t;
    }

    private static float[] host(Tensor t) {
        float[] x = new float[t.len()];
        CPU.download(t, x);
        return x;
    }

    /** sum(G * scale * (x A^T) B^T) in double: the loss whose gradients the adapter's backward gives. */
    private static double loss(double[] x, double[] a, double[] b, float[] g, double scale, int N, int C, int r, int OC) {
        double sum = 0;
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < OC; o++) {
                double out = 0;
                for (int k = 0; k < r; k++) {
                    double u = 0;
                    for (int i = 0; i < C; i++) {
                        u += x[n * C + i] * a[k * C + i];
                    }
                    out += u * b[o * r + k];
                }
                sum += g[n * OC + o] * scale * out;
            }
        }
        return sum;
    }

    @Test
    void adapterGradientsMatchFiniteDifferences() {
        GptConfig c = GptGradientTest.gpt2(11, 6, 2, 2, 8);
        int N = 5, C = 8, OC = 4 * C, r = 3;
        Lora.Settings settings = new Lora.Settings(r, 6f);
        ParameterLayout layout = ParameterLayout.lora(c, new ParameterLayout(c), r, List.of());
        float[] p = gaussian(Math.toIntExact(layout.total()), 0.5, 1);
        Tensor params = tensor(p), grads = CPU.alloc(layout.total());
        Lora lora = new Lora(CPU, c, settings, layout, params, grads);
        ParameterLayout.Entry ea = layout.find(ParameterLayout.loraA(c, 1, Linear.FC)), eb = layout.find(ParameterLayout.loraB(c, 1, Linear.FC));
        float[] x = gaussian(N * C, 1, 2), g = gaussian(N * OC, 1, 3);
        Tensor out = CPU.alloc((long) N * OC), dinp = CPU.alloc((long) N * C), xt = tensor(x);
        lora.forward(out, xt, 1, Linear.FC, N, C, OC);
        lora.backward(dinp, tensor(g), xt, 1, Linear.FC, N, C, OC);

        double[] a = GradCheck.toDouble(java.util.Arrays.copyOfRange(p, (int) ea.offset(), (int) (ea.offset() + ea.size())));
        double[] b = GradCheck.toDouble(java.util.Arrays.copyOfRange(p, (int) eb.offset(), (int) (eb.offset() + eb.size())));
        double[] xd = GradCheck.toDouble(x);
        double s = settings.scale();
        float[] dp = host(grads);
        GradCheck.assertClose("dA", GradCheck.numeric(v -> loss(xd, v, b, g, s, N, C, r, OC), a, 1e-4), dp, (int) ea.offset(), 1e-4, 1e-4);
        GradCheck.assertClose("dB", GradCheck.numeric(v -> loss(xd, a, v, g, s, N, C, r, OC), b, 1e-4), dp, (int) eb.offset(), 1e-4, 1e-4);
        GradCheck.assertClose("dx", GradCheck.numeric(v -> loss(v, a, b, g, s, N, C, r, OC), xd, 1e-4), host(dinp), 1e-4, 1e-4);
        // the forward is the loss's integrand: out . G equals the formula
        double forward = 0;
        float[] o = host(out);
        for (int i = 0; i < o.length; i++) {
            forward += o[i] * g[i];
        }
        assertTrue(Math.abs(forward - loss(xd, a, b, g, s, N, C, r, OC)) < 1e-3, "forward " + forward);
    }

    private static float[] logits(LanguageModel m, int[] x, int B, int T) {
        m.forward(x, null, B, T, false, 0);
        return host(m.logits());
    }

    @Test
    void startsAsTheBaseExactlyAndEqualsItsMergedWeights() {
        GptConfig c = GptGradientTest.gpt2(13, 8, 2, 2, 16);
        Gpt gpt = new Gpt(c, CPU);
        gpt.initWeights(5);
        int B = 2, T = 8;
        int[] x = new int[B * T];
        Rng rng = Rng.of(6);
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(c.vocabSize());
        }
        float[] base = logits(gpt, x, B, T);

        LoraModel lora = new LoraModel(gpt, ORIGIN, new Lora.Settings(4, 8f), List.of());
        lora.initWeights(7);
        assertArrayEquals(base, logits(lora, x, B, T), "B = 0: the adapted model is the base");

        CPU.upload(lora.parameters(), gaussian(lora.parameters().len(), 0.2, 8));
        float[] adapted = logits(lora, x, B, T);
        double moved = 0;
        for (int i = 0; i < base.length; i++) {
            moved = Math.max(moved, Math.abs(adapted[i] - base[i]));
        }
        assertTrue(moved > 0.1, "the adapters change the logits by " + moved);
        float[] merged = logits(lora.merge(), x, B, T);
        GradCheck.assertClose("merged logits", GradCheck.toDouble(adapted), merged, 1e-4, 1e-4);
    }
}
