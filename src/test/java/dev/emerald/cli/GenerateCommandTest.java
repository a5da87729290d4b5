package dev.emerald.cli;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.train.Checkpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code emerald generate}'s sampling options against the library called with the same settings. */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    private Path model;

    @BeforeEach
    void trainTiny() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), "the quick brown fox jumps over the lazy dog.\n".repeat(10));
        model = tmp.resolve("run");
        assertOk(run("train", "--corpus", corpus.toString(), "--out", model.toString(), "--preset", "baby", "--n-layer", "1",
                "--n-embd", "16", "--n-head", "2", "--block-size", "8", "--batch-size", "2", "--steps", "3", "--eval-interval", "3",
                "--eval-iters", "1", "--sample-tokens", "5"));
    }

    /** What the library writes after the prompt for these settings. */
    private String library(String prompt, SamplingSettings settings) {
        Checkpoint.Loaded loaded = Checkpoint.load(model, new CpuBackend());
        return new TextGenerator(new Generator(loaded.model()), loaded.tokenizer()).generate(prompt, settings, s -> { }, () -> false).text();
    }

    private String generate(String... options) {
        return assertOk(run(Cli.concat(new String[] {"generate", "--model", model.toString(), "--device", "cpu", "--prompt", "th"}, options)));
    }

    @Test
    void samplingOptionsAreTheLibrarysSettings() {
        String out = generate("--max-new-tokens", "40", "--temperature", "0.9", "--top-k", "12", "--top-p", "0.8",
                "--repetition-penalty", "1.3", "--seed", "4", "--no-stop-at-end-of-text");
        SamplingSettings settings = new SamplingSettings(0.9f, 12, 0.8f, 1.3f, 4, 40, List.of(), false);
        assertEquals("th" + library("th", settings) + "\n", out);
    }

    @Test
    void textEndsBeforeTheFirstStopString() {
        String greedy = generate("--max-new-tokens", "30", "--temperature", "0");
        String completion = greedy.substring(2, greedy.length() - 1);
        String stop = completion.substring(12, 14), other = completion.substring(20, 22);
        int cut = Math.min(completion.indexOf(stop), completion.indexOf(other));
        String stopped = generate("--max-new-tokens", "30", "--temperature", "0", "--stop", stop, "--stop", other);
        assertEquals("th" + completion.substring(0, cut) + "\n", stopped);
        assertTrue(cut <= 12, completion);
    }

    @Test
    void badSamplingOptionsNameTheOption() {
        assertBadInput(run("generate", "--model", model.toString(), "--top-p", "1.5"), "--top-p", "(0, 1]");
        assertBadInput(run("generate", "--model", model.toString(), "--repetition-penalty", "0"), "--repetition-penalty", "positive");
        assertBadInput(run("generate", "--model", model.toString(), "--stop", ""), "--stop", "empty");
        assertBadInput(run("generate", "--model", model.toString(), "--temperature", "-1"), "--temperature");
    }
}
