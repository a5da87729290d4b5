package dev.emerald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.TrainingMemory;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --effective-batch on the command line, the memory estimate before training and the memory in use at evaluations. */
class TrainBatchAndMemoryTest {
    private static final String[] TINY = {"train", "--preset", "baby", "--n-layer", "1", "--n-embd", "16", "--n-head", "2",
            "--block-size", "8", "--steps", "4", "--eval-interval", "2", "--eval-iters", "1", "--sample-tokens", "0", "--device", "cpu"};
    private static final String TEXT = "the quick brown fox jumps over the lazy dog.\n".repeat(10);

    @TempDir
    Path tmp;

    @Test
    void effectiveBatchIsSplitSavedAndTheMemoryIsReported() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT), out = tmp.resolve("run");
        Cli.Result r = Cli.run(Cli.concat(TINY, "--corpus", corpus.toString(), "--out", out.toString(),
                "--effective-batch", "7", "--batch-size", "3"));
        String stdout = Cli.assertOk(r);
        assertTrue(stdout.contains("batch 7 (3 micro-batches of 2-3) x 8, 4 steps"), stdout);

        JsonNode train = Models.JSON.readTree(out.resolve(Checkpoint.STATE).toFile()).get("train");
        assertEquals(3, train.get("batch_size").asInt());
        assertEquals(3, train.get("grad_accum").asInt());
        assertEquals(7, train.get("effective_batch").asInt());

        // the estimate for the largest micro-batch (3 x 8), from the saved model's own sizes
        LanguageModel model = Checkpoint.load(out, new CpuBackend()).model();
        TrainingMemory m = TrainingMemory.of(model, 3, 8);
        assertEquals(4 * m.parameters() + m.activations() + m.scratch(), m.total(), "gradients as large as the parameters, AdamW twice");
        assertTrue(stdout.contains("memory estimate: " + m.describe() + ": " + Bytes.human(m.total()) + " in all"), stdout);
        List<String> evals = stdout.lines().filter(l -> l.contains("train loss")).toList();
        assertEquals(3, evals.size(), stdout);
        assertTrue(evals.stream().allMatch(l -> l.matches(".*val loss [0-9.]+ \\| heap [0-9.]+ [KMG]iB, RSS [0-9.]+ [KMG]iB \\|.*")), stdout);

        // resumed with a new cap, the effective batch is split again
        Cli.Result resumed = Cli.run("train", "--resume", "--out", out.toString(), "--steps", "6", "--effective-batch", "7",
                "--batch-size", "2", "--sample-tokens", "0", "--device", "cpu");
        assertTrue(Cli.assertOk(resumed).contains("batch 7 (4 micro-batches of 1-2) x 8, 6 steps"), resumed::toString);
    }

    @Test
    void effectiveBatchWithGradAccumIsRefused() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT);
        Cli.assertBadInput(Cli.run(Cli.concat(TINY, "--corpus", corpus.toString(), "--out", tmp.resolve("run").toString(),
                "--effective-batch", "8", "--grad-accum", "2")), "--effective-batch", "--grad-accum");
        Cli.assertBadInput(Cli.run(Cli.concat(TINY, "--corpus", corpus.toString(), "--out", tmp.resolve("run").toString(),
                "--effective-batch", "0")), "effective batch must be positive");
        assertTrue(Files.notExists(tmp.resolve("run")));
    }
}
