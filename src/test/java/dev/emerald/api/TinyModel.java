package dev.emerald.api;

import dev.emerald.backend.DeviceChoice;

import java.nio.file.Path;
import java.util.Random;

/** A tiny character-level GPT trained for a few steps on a made-up text: enough for generation to have structure. */
public final class TinyModel {
    /** Words in random order with punctuation, so the next character depends on the ones before. */
    public static final String TEXT = text();

    private TinyModel() {
    }

    /** The recipe: 1 layer, 2 heads of 8, a context of 16 characters, learning rate 1e-2. */
    public static Training recipe(int steps) {
        return Training.preset("baby").text(TEXT).device(DeviceChoice.CPU)
                .set("n_layer", 1).set("n_head", 2).set("n_embd", 16).set("block_size", 16)
                .set("batch_size", 4).set("max_steps", steps).set("eval_interval", Math.max(1, steps / 2)).set("eval_iters", 2)
                .set("learning_rate", 1e-2).set("min_lr", 1e-3).set("warmup_steps", 0);
    }

    /** Trains the tiny model for 30 steps and saves its checkpoint in dir (which must not exist yet). */
    public static Path checkpoint(Path dir) {
        try (EmeraldModel unused = recipe(30).out(dir).run()) {
            return dir;
        }
    }

    private static String text() {
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "tom", "said", "huck"};
        Random random = new Random(11);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 4000) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(6) == 0 ? ".\n" : " ");
        }
        return sb.toString();
    }
}
