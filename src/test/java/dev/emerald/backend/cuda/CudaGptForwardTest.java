package dev.emerald.backend.cuda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.generate.Generator;
import dev.emerald.generate.Sampler;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The whole forward pass and greedy generation of tiny gpt2 and course models: CUDA on the emulator against the CPU. */
class CudaGptForwardTest {

    /** See {@link CpuVsCuda} for the floors: logits are sums, probabilities are relative all the way down. */
    private static final double TOL = 1e-5, UNIT = 1, PROB = 1e-6;
    private static final int V = 67, BLOCK = 40, B = 2, T = 37;

    /** The preset's family at a tiny, awkward size: C = 84, 4 heads of 21 (course keeps its dropout, off in evaluation). */
    private static LanguageModel tiny(String preset, Backend be) {
        ObjectNode m = Preset.load(preset).model().deepCopy();
        m.put("vocab_size", V).put("block_size", BLOCK).put("n_layer", 2).put("n_head", 4).put("n_embd", 84);
        return Models.create(m, be);
    }

    /** Both models with the same weights: the usual init plus noise, so that every path carries visible values. */
    private static void sameWeights(LanguageModel a, LanguageModel b) {
        a.initWeights(1);
        float[] p = download(a.backend(), a.parameters());
        Rng rng = Rng.of(2);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.1 * rng.nextGaussian());
        }
        a.backend().upload(a.parameters(), p);
        b.backend().upload(b.parameters(), p);
    }

    private static float[] download(Backend be, Tensor t) {
        float[] x = new float[t.len()];
        be.download(t, x);
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void forwardMatchesCpu(String preset) {
        try (CudaBackend cuda = Emulators.backend()) {
            LanguageModel onCpu = tiny(preset, new CpuBackend()), onCuda = tiny(preset, cuda);
            sameWeights(onCpu, onCuda);
            Rng rng = Rng.of(3);
            int[] x = new int[B * T], y = new int[B * T];
            for (int i = 0; i < B * T; i++) {
                x[i] = rng.nextInt(V);
                y[i] = i % 10 == 4 ? -1 : rng.nextInt(V);
            }

            onCpu.forward(x, null, B, T, false, 0);
            onCuda.forward(x, null, B, T, false, 0);
            assertClose(preset + " logits", download(cuda, onCuda.logits()), download(onCpu.backend(), onCpu.logits()), TOL, UNIT);

            float cpuLoss = onCpu.forward(x, y, B, T, false, 0);
            float cudaLoss = onCuda.forward(x, y, B, T, false, 0);
            assertEquals(cpuLoss, cudaLoss, TOL * cpuLoss, preset + " loss");
            assertClose(preset + " probabilities", download(cuda, onCuda.logits()), download(onCpu.backend(), onCpu.logits()), TOL, PROB);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void greedyGenerationMatchesCpu(String preset) {
        try (CudaBackend cuda = Emulators.backend()) {
            LanguageModel onCpu = tiny(preset, new CpuBackend()), onCuda = tiny(preset, cuda);
            sameWeights(onCpu, onCuda);
            int[] prompt = {5, 17, 42};
            int n = BLOCK + 5; // past block_size, so the context window slides
            int[] expected = new Generator(onCpu).generate(prompt, n, new Sampler(0, 0, 0), t -> true);
            int[] actual = new Generator(onCuda).generate(prompt, n, new Sampler(0, 0, 0), t -> true);
            assertArrayEquals(expected, actual, preset + " greedy tokens");
        }
    }

    @Test
    void generationFreesOutgrownActivations() {
        try (CudaBackend generating = Emulators.backend(); CudaBackend once = Emulators.backend()) {
            LanguageModel a = tiny("gpt2", generating), b = tiny("gpt2", once);
            new Generator(a).generate(new int[] {1}, BLOCK, new Sampler(0, 0, 0), t -> true); // T = 1, 2, ..., BLOCK
            b.forward(new int[BLOCK], null, 1, BLOCK, false, 0);
            assertEquals(once.allocatedBytes(), generating.allocatedBytes(),
                    "device floats held after generating up to block_size, against one forward at block_size");
        }
    }
}
