package dev.emerald.train;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.BatchSampler;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Dataset;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --effective-batch: how a batch is split into micro-batches, and that accumulating them equals one large batch. */
class GradientAccumulationTest {

    private static final TrainConfig BASE = new TrainConfig(4, 1, 1e-3f, 1e-4f, 0, 10, 0.1f, 0.9f, 0.99f, 1f, 5, 2, 3);
    private static final String TEXT = TextFixtures.markov(3000, 10, 7);
    private static final int T = 8;

    private static List<Integer> microBatches(TrainConfig c) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < c.gradAccum(); i++) {
            sizes.add(c.microBatch(i));
        }
        return sizes;
    }

    @Test
    void everyEffectiveBatchSplitsIntoTheFewestEvenMicroBatchesUnderTheCap() {
        for (int n = 1; n <= 150; n++) {
            for (int cap = 1; cap <= 40; cap++) {
                TrainConfig c = BASE.withEffectiveBatch(n, cap);
                int fewest = 1;
                while (fewest * cap < n) { // k micro-batches of at most cap hold k * cap sequences
                    fewest++;
                }
                List<Integer> sizes = microBatches(c);
                String what = "n=" + n + " cap=" + cap + ": " + sizes;
                assertEquals(fewest, c.gradAccum(), what);
                assertEquals(n, sizes.stream().mapToInt(Integer::intValue).sum(), what);
                int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
                int min = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
                assertTrue(max <= cap && min >= 1 && max - min <= 1, what);
                assertEquals(max, c.batchSize(), "batch_size is the largest micro-batch: " + what);
                assertEquals(n, c.effectiveBatch(), what);
                for (int i = 1; i < sizes.size(); i++) {
                    assertTrue(sizes.get(i) <= sizes.get(i - 1), "the larger come first: " + what);
                }
            }
        }
        assertEquals(List.of(11, 11, 11, 11, 11, 11, 11, 10, 10), microBatches(BASE.withEffectiveBatch(97, 12)));
        assertEquals(List.of(8, 8, 8, 8), microBatches(BASE.withEffectiveBatch(32, 8)));
    }

    @ParameterizedTest
    @CsvSource({"gpt2, 7, 3", "course, 7, 3", "gpt2, 6, 2", "course, 5, 5"})
    void accumulatedMicroBatchesGiveTheGradientsOfOneLargeBatch(String family, int n, int cap) throws Exception {
        CharTokenizer tok = CharTokenizer.fit(TEXT);
        Dataset data = new Dataset("markov", tok.encode(TEXT), 0.1, T);
        LanguageModel model = Models.create(Models.JSON.readTree(ModelJson.tiny(family, tok.vocabSize(), T, 0f)), new CpuBackend());
        model.initWeights(11);
        TrainConfig config = BASE.withEffectiveBatch(n, cap);

        Trainer trainer = new Trainer(model, tok, data, config, TrainState.Source.corpus("markov", 0.1), null);
        float accumulatedLoss = trainer.accumulate(data.batches(false, config.batchSize(), Rng.of(5)), 0);
        float[] accumulated = download(model);

        // the same n rows (the sampler draws them in the same order) as one batch, backpropagated once
        int[] x = new int[n * T], y = new int[n * T];
        new BatchSampler(data.train(), n, T, Rng.of(5)).next(x, y);
        model.zeroGrad();
        float loss = model.forward(x, y, n, T, true, 0);
        model.backward(1f);
        float[] whole = download(model);

        assertEquals(loss, accumulatedLoss, 1e-5f * Math.abs(loss), "loss");
        float largest = 0;
        for (float g : whole) {
            largest = Math.max(largest, Math.abs(g));
        }
        for (int i = 0; i < whole.length; i++) {
            assertEquals(whole[i], accumulated[i], 2e-5f * largest, "gradient " + i + " of " + model.layout().entries());
        }
    }

    private static float[] download(LanguageModel model) {
        float[] g = new float[model.gradients().len()];
        model.backend().download(model.gradients(), g);
        return g;
    }
}
