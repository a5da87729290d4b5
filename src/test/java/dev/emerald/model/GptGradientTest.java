package dev.emerald.model;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.emerald.backend.GradCheck.numeric;
import static dev.emerald.backend.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** A whole GPT step's loss and every parameter's gradient against a double-precision reference. */
class GptGradientTest {

    static GptConfig gpt2(int V, int T, int L, int NH, int C) {
        return new GptConfig(V, T, L, NH, C, 0f, true, GptConfig.Activation.gelu, true, true, false, true);
    }

    static GptConfig course(int V, int T, int L, int NH, int C, float dropout) {
        return new GptConfig(V, T, L, NH, C, dropout, false, GptConfig.Activation.relu, false, false, true, false);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gpt2, 0", "course, 0", "course, 0.2"})
    void gradientsMatchFiniteDifferences(String family, float dropout) {
        int V = 7, T = 5, B = 2;
        GptConfig c = family.equals("gpt2") ? gpt2(V, 6, 2, 2, 8) : course(V, 6, 2, 2, 8, dropout);
        Gpt gpt = new Gpt(c, new CpuBackend());
        gpt.initWeights(3);
        // larger weights than the 0.02 init, so that every path carries a visible gradient
        float[] p = new float[(int) gpt.parameterCount()];
        gpt.backend().download(gpt.params().all, p);
        Rng rng = Rng.of(11);
        for (ParameterLayout.Entry e : gpt.layout().entries()) {
            for (int i = (int) e.offset(); i < e.offset() + e.size(); i++) {
                p[i] += (float) (0.3 * rng.nextGaussian());
            }
        }
        gpt.backend().upload(gpt.params().all, p);

        int[] x = new int[B * T], y = new int[B * T];
        for (int i = 0; i < B * T; i++) {
            x[i] = rng.nextInt(V);
            y[i] = i == 3 ? -1 : rng.nextInt(V); // one ignored target
        }
        long seed = 1234;
        gpt.zeroGrad();
        float loss = gpt.forward(x, y, B, T, true, seed);
        gpt.backward(1f);
        float[] g = new float[p.length];
        gpt.backend().download(gpt.grads().all, g);

        ReferenceGpt ref = new ReferenceGpt(c, dropout, seed);
        double[] pd = toDouble(p);
        assertEquals(ref.loss(pd, x, y, B, T), loss, 1e-5, "loss");
        double[] numeric = numeric(v -> ref.loss(v, x, y, B, T), pd, 1e-5);
        // backward order: the first tensor named is the one nearest the loss that is off
        for (ParameterLayout.Entry e : gpt.layout().entries().reversed()) {
            double maxAbs = 0;
            for (int i = (int) e.offset(); i < e.offset() + e.size(); i++) {
                maxAbs = Math.max(maxAbs, Math.abs(numeric[i]));
            }
            for (int i = (int) e.offset(); i < e.offset() + e.size(); i++) {
                double diff = Math.abs(g[i] - numeric[i]);
                if (diff > 1e-3 * Math.abs(numeric[i]) + 1e-4 * maxAbs + 1e-7) {
                    fail("gradient of " + e.name() + "[" + (i - e.offset()) + "]: finite differences " + numeric[i]
                            + ", backward " + g[i] + " (diff " + diff + ")");
                }
            }
        }
    }
}
