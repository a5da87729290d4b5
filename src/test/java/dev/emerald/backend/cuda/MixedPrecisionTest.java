package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.emerald.backend.Backend;
import dev.emerald.backend.Precision;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.ParameterLayout;
import dev.emerald.tensor.Tensor;
import dev.emerald.train.AdamW;
import dev.emerald.train.TrainConfig;
import dev.emerald.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tiny gpt2 and course models (CudaTrainingStepTest's: C = 84, 4 heads of 21, dropout 0.1) in bf16 mixed
 * precision, CUDA on the emulator.
 * <p>
 * First, that they compute exactly what mixed precision means: the float model whose GEMM operands
 * (weights, inputs, the backward's dout) are rounded to bf16 by the naive {@link Bf16#round}, all else
 * float ({@link Bf16Reference} over the emulator's float kernels, which CudaForwardOpsTest and
 * CudaBackwardOpsTest hold to the CPU). Rounding is discontinuous, so the float CPU backend is not the
 * base here: a difference in its last bit flips a bf16 rounding now and then, and the flipped ulp
 * spreads. Losses, logits and gradients within 1e-5 of their scale, as between float backends, over
 * three AdamW steps (the bf16 weight copy must follow the master weights).
 * <p>
 * Then, how far bf16 is from fp32 (the CPU backend): bf16 keeps 8 significant bits, a relative
 * rounding error of at most u = 2^-9 (about 0.2%) per operand, and measured errors are 1 to 3 u. Bounds:
 * logits within 1% of their largest magnitude, the loss within 0.1%, each parameter's gradient within 2%
 * of its norm — except the first MLP layer of a ReLU model (course), whose gradient changes wholly
 * wherever a pre-activation within bf16's error of 0 changes sign: 10% (measured 3 to 4%).
 */
class MixedPrecisionTest {

    private static final int V = CudaTrainingStepTest.V, B = 2, T = 37, STEPS = 3;
    private static final TrainConfig CONFIG = new TrainConfig(B, 1, 1e-3f, 1e-4f, 1, STEPS, 0.1f, 0.9f, 0.95f, 1f, STEPS, 1, 1);

    private static CudaBackend bf16Backend(Attention attention) {
        return new CudaBackend(new EmulatorDevice(Emulators.kernels()), attention, Precision.BF16);
    }

    private static float[] download(LanguageModel model, Tensor t) {
        float[] x = new float[t.len()];
        model.backend().download(t, x);
        return x;
    }

    /** x and y (B, T) from rng; every tenth target ignored. */
    private static void batch(Rng rng, int[] x, int[] y) {
        for (int i = 0; i < B * T; i++) {
            x[i] = rng.nextInt(V);
            y[i] = i % 10 == 4 ? -1 : rng.nextInt(V);
        }
    }

    @ParameterizedTest(name = "{0}, {1} attention")
    @CsvSource({"gpt2, FUSED", "gpt2, UNFUSED", "course, FUSED", "course, UNFUSED"})
    void bf16ModelIsTheFloatModelWithRoundedGemmOperands(String preset, Attention attention) {
        try (CudaBackend bf16 = bf16Backend(attention); CudaBackend fp32 = Emulators.backend(attention)) {
            LanguageModel actual = CudaTrainingStepTest.tiny(preset, bf16);
            LanguageModel expected = CudaTrainingStepTest.tiny(preset, Bf16Reference.backend(fp32));
            AdamW actualOpt = new AdamW(actual), expectedOpt = new AdamW(expected);
            Rng rng = Rng.of(3);
            int[] x = new int[B * T], y = new int[B * T];
            for (int step = 0; step < STEPS; step++) {
                String at = preset + " step " + step + " ";
                batch(rng, x, y);
                actual.zeroGrad();
                expected.zeroGrad();
                float want = expected.forward(x, y, B, T, true, step), got = actual.forward(x, y, B, T, true, step);
                assertEquals(want, got, 1e-5 * want, at + "loss (bf16_from_float1, layernorm_forward_bf16_1,"
                        + " gelu_forward_bf16_1, relu_forward_bf16_1 in the model)");
                expected.backward(1);
                actual.backward(1);
                assertGradients(at, expected, actual, 1e-5, 1e-5);
                float lr = CONFIG.lr(step);
                expectedOpt.step(CONFIG, lr);
                actualOpt.step(CONFIG, lr);
            }
            expected.forward(x, null, B, T, false, 0);
            actual.forward(x, null, B, T, false, 0);
            assertEquals(0, maxError(download(expected, expected.logits()), download(actual, actual.logits())), 1e-5,
                    preset + " logits after the steps, relative to their largest");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "course"})
    void bf16IsWithinItsPrecisionOfFp32(String preset) {
        try (CudaBackend cuda = bf16Backend(Attention.configured())) {
            LanguageModel fp32 = CudaTrainingStepTest.tiny(preset, new CpuBackend()), bf16 = CudaTrainingStepTest.tiny(preset, cuda);
            int[] x = new int[B * T], y = new int[B * T];
            batch(Rng.of(3), x, y);
            float want = fp32.forward(x, y, B, T, true, 7), got = bf16.forward(x, y, B, T, true, 7);
            assertEquals(want, got, 1e-3 * want, preset + " loss");
            fp32.backward(1);
            bf16.backward(1);
            assertGradients(preset + " ", fp32, bf16, 2e-2, preset.equals("course") ? 1e-1 : 2e-2);

            fp32.forward(x, null, B, T, false, 0);
            bf16.forward(x, null, B, T, false, 0);
            double err = maxError(download(fp32, fp32.logits()), download(bf16, bf16.logits()));
            assertTrue(err <= 1e-2, preset + " logits: max error " + err + " of their largest magnitude > 1%");
            assertTrue(err >= 1e-4, preset + " logits: max error " + err + ": as close as float, so bf16 did not run");
        }
    }

    /** max |actual - expected| / max |expected|. */
    private static double maxError(float[] expected, float[] actual) {
        double scale = 0, err = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
        }
        return err / scale;
    }

    /**
     * Per parameter tensor, ||actual - expected|| <= tol ||expected||; reluTol for the first MLP layer's
     * weight and bias (the ones a ReLU gates).
     */
    private static void assertGradients(String at, LanguageModel expectedModel, LanguageModel actualModel, double tol, double reluTol) {
        float[] expected = download(expectedModel, expectedModel.gradients()), actual = download(actualModel, actualModel.gradients());
        for (ParameterLayout.Entry e : expectedModel.layout().entries()) {
            double norm = 0, err = 0;
            for (int i = (int) e.offset(); i < e.offset() + e.size(); i++) {
                norm += (double) expected[i] * expected[i];
                err += (double) (actual[i] - expected[i]) * (actual[i] - expected[i]);
            }
            double limit = e.name().contains("mlp.c_fc") ? reluTol : tol;
            if (!(Math.sqrt(err) <= limit * Math.sqrt(norm))) {
                fail(at + "gradient of " + e.name() + ": error " + Math.sqrt(err / norm) + " of its norm > " + limit);
            }
        }
    }
}
