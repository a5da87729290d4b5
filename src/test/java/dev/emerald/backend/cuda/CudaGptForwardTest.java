package dev.emerald.backend.cuda;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.generate.Generator;
import dev.emerald.generate.Sampler;
import dev.emerald.model.KvCacheChecks;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.TinyModels;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static dev.emerald.model.TinyModels.BLOCK;
import static dev.emerald.model.TinyModels.V;
import static dev.emerald.model.TinyModels.download;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole forward pass and greedy generation of tiny gpt2 and course models: CUDA on the emulator against the CPU,
 * and its KV-cached forward against its full recompute ({@link KvCacheChecks}).
 */
class CudaGptForwardTest {

    /** See {@link CpuVsCuda} for the floors: logits are sums, probabilities are relative all the way down. */
    private static final double TOL = 1e-5, UNIT = 1, PROB = 1e-6;
    private static final int B = 2, T = 37;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void forwardMatchesCpu(String preset) {
        try (CudaBackend cuda = Emulators.backend()) {
            LanguageModel onCpu = TinyModels.create(preset, new CpuBackend()), onCuda = TinyModels.create(preset, cuda);
            TinyModels.sameWeights(onCpu, onCuda);
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
            LanguageModel onCpu = TinyModels.create(preset, new CpuBackend()), onCuda = TinyModels.create(preset, cuda);
            TinyModels.sameWeights(onCpu, onCuda);
            int[] prompt = {5, 17, 42};
            int n = BLOCK + 5; // past block_size, so the context window slides
            int[] expected = new Generator(onCpu).generate(prompt, n, new Sampler(0, 0, 0), t -> true);
            int[] actual = new Generator(onCuda).generate(prompt, n, new Sampler(0, 0, 0), t -> true);
            assertArrayEquals(expected, actual, preset + " greedy tokens");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void cachedDecodingMatchesRecompute(String preset) {
        try (CudaBackend cuda = Emulators.backend()) {
            LanguageModel m = TinyModels.create(preset, cuda);
            TinyModels.sameWeights(m);
            KvCacheChecks.cachedLogitsMatchRecompute(m);
            KvCacheChecks.greedyTokensFollowTheWindowRule(m, 3, BLOCK / 2);
        }
    }

    @Test
    void recomputingFreesOutgrownActivations() {
        try (CudaBackend generating = Emulators.backend(); CudaBackend once = Emulators.backend()) {
            LanguageModel a = TinyModels.create("gpt2", generating), b = TinyModels.create("gpt2", once);
            Generator.recomputing(a).generate(new int[] {1}, BLOCK, new Sampler(0, 0, 0), t -> true); // T = 1, 2, ..., BLOCK
            b.forward(new int[BLOCK], null, 1, BLOCK, false, 0);
            assertEquals(once.allocatedBytes(), generating.allocatedBytes(),
                    "device floats held after generating up to block_size, against one forward at block_size");
        }
    }

    /** Its longest pass re-prefills block_size / 2 tokens when the window slides; the cache is freed at the end. */
    @Test
    void cachedGenerationFreesItsCache() {
        try (CudaBackend generating = Emulators.backend(); CudaBackend once = Emulators.backend()) {
            LanguageModel a = TinyModels.create("gpt2", generating), b = TinyModels.create("gpt2", once);
            new Generator(a).generate(new int[] {1}, BLOCK + 5, new Sampler(0, 0, 0), t -> true);
            b.forward(new int[BLOCK / 2], null, 1, BLOCK / 2, false, 0);
            assertEquals(once.allocatedBytes(), generating.allocatedBytes(),
                    "device floats held after a cached generation past block_size, against one forward at block_size / 2");
        }
    }
}
