package dev.emerald.backend.cuda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.DropoutRng;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.model.Gpt;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Lora;
import dev.emerald.model.LoraModel;
import dev.emerald.model.Models;
import dev.emerald.model.ParameterLayout;
import dev.emerald.model.Preset;
import dev.emerald.tensor.Tensor;
import dev.emerald.train.AdamW;
import dev.emerald.train.TrainConfig;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole training steps (forward, backward over two micro-batches, gradient clipping, AdamW) of tiny
 * gpt2 and course models with dropout on: CUDA on the emulator against the CPU, step by step.
 * <p>
 * The first step's gradients come from the same parameters on both, so they show the kernels' error:
 * per parameter tensor, max |cuda - cpu| / max |cpu| (a gradient near 0 is a cancellation, whose
 * error is relative to the tensor's scale). Later steps start from parameters that already differ a
 * little, by AdamW itself: an element whose gradient is near AdamW's eps (1e-8) turns a float-rounding
 * difference of 1e-9 in that gradient into an update that differs by 1% of the learning rate. So the
 * parameters are held to lr / 10 absolute, and the losses, which sum over all of them, to 1e-5 relative.
 */
class CudaTrainingStepTest {

    private static final double TOL = 1e-5;
    static final int V = 67, B = 2, T = 37, ACCUM = 2, STEPS = 3;
    /** Clipping at 0.5 fires at every step of these models, so sumSquares and scale both count. */
    private static final TrainConfig CONFIG = new TrainConfig(B, ACCUM, 1e-3f, 1e-4f, 1, STEPS, 0.1f, 0.9f, 0.95f, 0.5f,
            STEPS, 1, 1);

    /** The preset's family at a tiny, awkward size (C = 84, 4 heads of 21), with dropout 0.1. */
    static LanguageModel tiny(String preset, Backend be) {
        ObjectNode m = Preset.load(preset).model().deepCopy();
        m.put("vocab_size", V).put("block_size", 40).put("n_layer", 2).put("n_head", 4).put("n_embd", 84).put("dropout", 0.1);
        LanguageModel model = Models.create(m, be);
        model.initWeights(1);
        return model;
    }

    private static float[] download(Backend be, Tensor t) {
        float[] x = new float[t.len()];
        be.download(t, x);
        return x;
    }

    @ParameterizedTest(name = "{0}, {1} attention")
    @CsvSource({"gpt2, FUSED", "gpt2, UNFUSED", "course, FUSED", "course, UNFUSED"})
    void trainingStepsMatchCpu(String preset, Attention attention) {
        try (CudaBackend cuda = Emulators.backend(attention)) {
            LanguageModel onCpu = tiny(preset, new CpuBackend()), onCuda = tiny(preset, cuda);
            AdamW cpuOpt = new AdamW(onCpu), cudaOpt = new AdamW(onCuda);
            Rng rng = Rng.of(3);
            int[] x = new int[B * T], y = new int[B * T];
            for (int step = 0; step < STEPS; step++) {
                String at = preset + " step " + step + " ";
                onCpu.zeroGrad();
                onCuda.zeroGrad();
                for (int micro = 0; micro < ACCUM; micro++) {
                    for (int i = 0; i < B * T; i++) {
                        x[i] = rng.nextInt(V);
                        y[i] = i % 10 == 4 ? -1 : rng.nextInt(V);
                    }
                    long seed = DropoutRng.bits(CONFIG.seed(), step, micro);
                    float cpuLoss = onCpu.forward(x, y, B, T, true, seed);
                    float cudaLoss = onCuda.forward(x, y, B, T, true, seed);
                    assertEquals(cpuLoss, cudaLoss, TOL * cpuLoss, at + "loss of micro-batch " + micro);
                    onCpu.backward(1f / ACCUM);
                    onCuda.backward(1f / ACCUM);
                }
                if (step == 0) {
                    assertGradientsMatch(at, onCpu, download(cuda, onCuda.gradients()));
                }
                float lr = CONFIG.lr(step);
                float cpuNorm = cpuOpt.step(CONFIG, lr), cudaNorm = cudaOpt.step(CONFIG, lr);
                assertEquals(cpuNorm, cudaNorm, TOL * cpuNorm, at + "gradient norm (global_norm_squared1)");
                assertTrue(cpuNorm > CONFIG.gradClip(), at + "clipping fires: norm " + cpuNorm);
                assertClose(at + "parameters after AdamW, absolute", download(cuda, onCuda.parameters()),
                        download(onCpu.backend(), onCpu.parameters()), lr / 10, 1);
            }
        }
    }

    /** A tiny gpt2 with rank-3 adapters, A and B both drawn (B = 0 would make dA 0), on each backend. */
    private static LoraModel adapted(Backend be) {
        LoraModel m = new LoraModel((Gpt) tiny("gpt2", be), new LoraModel.Origin("base", 0, ""), new Lora.Settings(3, 5f), List.of());
        float[] adapters = new float[m.parameters().len()];
        Rng rng = Rng.of(9);
        for (int i = 0; i < adapters.length; i++) {
            adapters[i] = (float) (0.1 * rng.nextGaussian());
        }
        be.upload(m.parameters(), adapters);
        return m;
    }

    @Test
    void loraForwardAndBackwardMatchCpu() {
        try (CudaBackend cuda = Emulators.backend()) {
            LoraModel onCpu = adapted(new CpuBackend()), onCuda = adapted(cuda);
            Rng rng = Rng.of(4);
            int[] x = new int[B * T], y = new int[B * T];
            for (int i = 0; i < B * T; i++) {
                x[i] = rng.nextInt(V);
                y[i] = rng.nextInt(V);
            }
            onCpu.zeroGrad();
            onCuda.zeroGrad();
            float cpuLoss = onCpu.forward(x, y, B, T, true, 7), cudaLoss = onCuda.forward(x, y, B, T, true, 7);
            assertEquals(cpuLoss, cudaLoss, TOL * cpuLoss, "LoRA loss");
            onCpu.backward(1f);
            onCuda.backward(1f);
            assertGradientsMatch("LoRA ", onCpu, download(cuda, onCuda.gradients()));
        }
    }

    /** Per parameter tensor, max |cuda - cpu| / max |cpu| <= TOL. */
    private static void assertGradientsMatch(String at, LanguageModel onCpu, float[] cuda) {
        float[] cpu = download(onCpu.backend(), onCpu.gradients());
        for (ParameterLayout.Entry e : onCpu.layout().entries()) {
            double scale = 0, err = 0;
            for (int i = (int) e.offset(); i < e.offset() + e.size(); i++) {
                scale = Math.max(scale, Math.abs(cpu[i]));
                err = Math.max(err, Math.abs(cuda[i] - cpu[i]));
            }
            if (!(err <= TOL * scale)) {
                fail(at + "gradient of " + e.name() + ": max error " + err + " > " + TOL + " x max |gradient| " + scale);
            }
        }
    }
}
