package dev.emerald.model;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.generate.Generator;
import dev.emerald.generate.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.emerald.model.TinyModels.BLOCK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** KV-cached decoding on the CPU backend against the full recompute (see {@link KvCacheChecks}). */
class KvCacheTest {

    private static LanguageModel model(String preset) {
        LanguageModel m = TinyModels.create(preset, new CpuBackend());
        TinyModels.sameWeights(m);
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void cachedLogitsMatchRecompute(String preset) {
        KvCacheChecks.cachedLogitsMatchRecompute(model(preset));
    }

    @ParameterizedTest(name = "{0}, prompt {1}, keep {2}")
    @CsvSource({"gpt2, 3, 20", "course, 3, 20", "gpt2, 47, 20", "course, 5, 1", "gpt2, 5, 39", "course, 40, 40"})
    void greedyTokensFollowTheWindowRule(String preset, int promptLength, int keep) {
        KvCacheChecks.greedyTokensFollowTheWindowRule(model(preset), promptLength, keep);
    }

    /** keep = block_size runs the course's context, a full window, at every token once the cache is full. */
    @Test
    void keepingTheWholeBlockIsTheCoursesLoop() {
        LanguageModel m = model("course");
        int[] prompt = TinyModels.tokens(4, 3);
        Sampler a = new Sampler(0.9f, 0, 5), b = new Sampler(0.9f, 0, 5);
        assertArrayEquals(Generator.recomputing(m).generate(prompt, 2 * BLOCK, a, t -> true),
                new Generator(m, BLOCK).generate(prompt, 2 * BLOCK, b, t -> true));
    }

    /** The bigram caches nothing: its cached generation is its recomputed one. */
    @Test
    void bigramGeneratesTheSameWithTheCache() {
        LanguageModel m = TinyModels.create("bigram", new CpuBackend());
        TinyModels.sameWeights(m);
        int[] prompt = TinyModels.tokens(3, 4);
        int[] expected = Generator.recomputing(m).generate(prompt, 30, new Sampler(1f, 0, 9), t -> true);
        assertArrayEquals(expected, new Generator(m).generate(prompt, 30, new Sampler(1f, 0, 9), t -> true));
    }

    @Test
    void aCacheRefusesPositionsPastTheBlockAndOtherModels() {
        LanguageModel m = model("gpt2"), other = model("gpt2");
        try (KvCache cache = m.newCache()) {
            m.forward(new int[BLOCK - 1], BLOCK - 1, cache);
            assertThrows(IllegalArgumentException.class, () -> m.forward(new int[2], 2, cache));
            assertThrows(IllegalArgumentException.class, () -> other.forward(new int[1], 1, cache));
        }
    }
}
