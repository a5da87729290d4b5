package dev.emerald.train;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Dataset;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run stopped midway and resumed from its checkpoint equals an uninterrupted run, bit for bit. */
class ResumeTest {

    private static final String TEXT = TextFixtures.markov(4000, 12, 3);
    private static final TrainConfig CONFIG = new TrainConfig(2, 2, 1e-2f, 1e-3f, 2, 12, 0.1f, 0.9f, 0.99f, 1.0f, 4, 2, 5);

    private record Run(List<Float> losses, float[] params) {
    }

    private static Run train(String family, Path out, int stopAt) throws Exception {
        CharTokenizer tok = CharTokenizer.fit(TEXT);
        Dataset data = new Dataset("markov", tok.encode(TEXT), 0.1, 8);
        LanguageModel model = Models.create(Models.JSON.readTree(ModelJson.tiny(family, tok.vocabSize(), 8,
                family.equals("course") ? 0.2f : 0f)), new CpuBackend());
        model.initWeights(CONFIG.seed());
        List<Float> losses = new ArrayList<>();
        Trainer first = new Trainer(model, tok, data, CONFIG, TrainState.Source.corpus("markov", 0.1), out);
        Trainer.Result r = first.run(new AdamW(model), 0, CONFIG.seed(), new Trainer.Listener() {
            @Override
            public void onStep(int step, float loss, float lr) {
                losses.add(loss);
                if (step == stopAt) {
                    first.requestStop();
                }
            }
        });
        if (r.stopped()) {
            Checkpoint.Loaded c = Checkpoint.load(out, new CpuBackend());
            assertEquals(stopAt, c.state().step());
            model = c.model();
            new Trainer(model, c.tokenizer(), data, c.state().train(), TrainState.Source.corpus("markov", 0.1), out)
                    .run(c.optimizer(), c.state().step(), c.state().samplerState(), new Trainer.Listener() {
                        @Override
                        public void onStep(int step, float loss, float lr) {
                            losses.add(loss);
                        }
                    });
        }
        float[] params = new float[model.parameters().len()];
        model.backend().download(model.parameters(), params);
        return new Run(losses, params);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "course"})
    void resumedRunEqualsUninterruptedRun(String family, @TempDir Path tmp) throws Exception {
        Run whole = train(family, tmp.resolve("whole"), -1);
        Run resumed = train(family, tmp.resolve("resumed"), 6);
        assertEquals(CONFIG.maxSteps(), whole.losses.size());
        assertEquals(whole.losses, resumed.losses, "per-step losses");
        assertArrayEquals(whole.params, resumed.params, "final parameters");
        assertTrue(whole.losses.getLast() < whole.losses.getFirst(), "the loss went down: " + whole.losses);
    }
}
