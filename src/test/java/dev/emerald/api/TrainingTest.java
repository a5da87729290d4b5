package dev.emerald.api;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.cli.Main;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.Metrics;
import dev.emerald.train.Trainer;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training from code: the listener sees every step and evaluation, the loss falls, and the weights equal {@code emerald train}'s. */
class TrainingTest {

    @Test
    void listenerSeesTheLossFallAndTheWeightsEqualTheClis(@TempDir Path tmp) throws Exception {
        List<Integer> steps = new ArrayList<>();
        List<Metrics> evals = new ArrayList<>();
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TinyModel.TEXT);
        try (EmeraldModel model = TinyModel.recipe(40).corpus(corpus).out(tmp.resolve("api")).listener(new Trainer.Listener() {
            @Override
            public void onStep(int step, float loss, float lr) {
                steps.add(step);
            }

            @Override
            public void onEval(Metrics m) {
                evals.add(m);
            }
        }).run()) {
            assertEquals("api", model.name());
            assertEquals(16, model.blockSize());
        }
        assertEquals(40, steps.size());
        assertEquals(List.of(1, 40), List.of(steps.getFirst(), steps.getLast()));
        assertEquals(List.of(0, 20, 40), evals.stream().map(Metrics::step).toList());
        // untrained, the model is about uniform over the vocabulary; 40 steps learn the words
        int vocabulary = (int) TinyModel.TEXT.chars().distinct().count();
        assertEquals(Math.log(vocabulary), evals.getFirst().valLoss(), 0.3);
        assertTrue(evals.getLast().valLoss() < evals.getFirst().valLoss() - 0.5, evals::toString);

        String[] cli = {"train", "--preset", "baby", "--corpus", corpus.toString(), "--out", tmp.resolve("cli").toString(),
                "--device", "cpu", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4",
                "--steps", "40", "--eval-interval", "20", "--eval-iters", "2", "--lr", "1e-2", "--min-lr", "1e-3",
                "--warmup-steps", "0", "--sample-tokens", "0"};
        assertEquals(0, Main.run(cli));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("cli").resolve(Checkpoint.MODEL)),
                Files.readAllBytes(tmp.resolve("api").resolve(Checkpoint.MODEL)));
    }

    @Test
    void badSettingsAndOutputsAreRefused(@TempDir Path tmp) throws Exception {
        UserException unknown = assertThrows(UserException.class, () -> Training.preset("baby").set("n_layers", 2));
        assertTrue(unknown.getMessage().contains("n_layers") && unknown.getMessage().contains("n_layer,"), unknown::getMessage);
        Path taken = Files.writeString(Files.createDirectories(tmp.resolve("taken")).resolve("notes.txt"), "keep me");
        UserException occupied = assertThrows(UserException.class,
                () -> TinyModel.recipe(2).out(taken.getParent()).device(DeviceChoice.CPU).run());
        assertTrue(occupied.getMessage().contains("not an empty directory"), occupied::getMessage);
        assertEquals("keep me", Files.readString(taken));
        assertThrows(UserException.class, () -> Training.preset("baby").run());
    }
}
