package dev.emerald.train;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Dataset;
import dev.emerald.model.Bigram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bigram model learns what a unigram model cannot: its val loss falls below the text's unigram entropy. */
class BigramTest {

    @Test
    void valLossFallsBelowUnigramEntropy(@TempDir Path tmp) {
        String text = TextFixtures.markov(20_000, 16, 9);
        CharTokenizer tok = CharTokenizer.fit(text);
        int[] ids = tok.encode(text);
        Dataset data = new Dataset("markov", ids, 0.1, 8);

        double[] counts = new double[tok.vocabSize()];
        for (int id : ids) {
            counts[id]++;
        }
        double entropy = 0;
        for (double c : counts) {
            if (c > 0) {
                entropy -= c / ids.length * Math.log(c / ids.length);
            }
        }

        Bigram model = new Bigram(tok.vocabSize(), 8, new CpuBackend());
        model.initWeights(1);
        TrainConfig config = new TrainConfig(32, 1, 0.1f, 0.01f, 0, 300, 0f, 0.9f, 0.999f, 0f, 300, 20, 1);
        Trainer trainer = new Trainer(model, tok, data, config, TrainState.Source.corpus("markov", 0.1), tmp.resolve("run"));
        float before = trainer.evaluate(true);
        Trainer.Result result = trainer.run(new AdamW(model), 0, 1, new Trainer.Listener() {
        });
        float after = result.last().valLoss();
        assertTrue(before > entropy, "an untrained table is no better than the unigram entropy: " + before + " vs " + entropy);
        assertTrue(after < entropy - 0.3, "bigram val loss " + after + " should be well below the unigram entropy " + entropy);
    }
}
