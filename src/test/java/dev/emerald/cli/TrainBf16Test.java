package dev.emerald.cli;

import static dev.emerald.cli.Cli.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.model.Models;
import dev.emerald.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --precision bf16} end to end on the emulator: 30 steps of a tiny model (2 layers x 32) whose
 * train and val losses, at every evaluation, are within 0.5% of fp32's on the same device (measured: within
 * 0.02%; bf16's rounding error is 0.2% of a GEMM operand, and the runs drift apart only slowly); the memory
 * estimate shown beside fp32's (TrainingMemoryTest checks the figures); one clear line for what cannot be done.
 */
class TrainBf16Test {

    private static final String[] TINY = {"train", "--preset", "baby", "--n-layer", "2", "--n-embd", "32", "--n-head", "4",
            "--block-size", "16", "--batch-size", "4", "--dropout", "0.1", "--steps", "30", "--eval-interval", "5",
            "--eval-iters", "2", "--lr", "3e-3", "--warmup-steps", "2", "--sample-tokens", "0"};
    private static final String TEXT = "It was the best of times, it was the worst of times, it was the age of wisdom, "
            + "it was the age of foolishness.\n";

    @TempDir
    Path tmp;

    private Cli.Result train(Path corpus, String name, String... more) {
        List<String> args = new ArrayList<>(List.of(TINY));
        args.addAll(List.of("--corpus", corpus.toString(), "--out", tmp.resolve(name).toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    /** (train loss, val loss) of each evaluation in the run's metrics.jsonl. */
    private List<float[]> losses(String name) throws IOException {
        List<float[]> losses = new ArrayList<>();
        for (String line : Files.readAllLines(tmp.resolve(name).resolve(Checkpoint.METRICS))) {
            JsonNode m = Models.JSON.readTree(line);
            losses.add(new float[] {m.get("train_loss").floatValue(), m.get("val_loss").floatValue()});
        }
        return losses;
    }

    @Test
    void bf16LossesTrackFp32s() throws IOException {
        assumeTrue(DeviceChoice.emulatorUnavailable().isEmpty(), () -> DeviceChoice.emulatorUnavailable().orElseThrow());
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT.repeat(20));
        Cli.assertOk(train(corpus, "fp32", "--device", "cuda-emu"));
        String out = Cli.assertOk(train(corpus, "bf16", "--device", "cuda-emu", "--precision", "bf16"));

        List<float[]> expected = losses("fp32"), actual = losses("bf16");
        assertEquals(7, expected.size(), "evaluations at steps 0, 5, ..., 30");
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], actual.get(i)[0], 5e-3 * expected.get(i)[0], "train loss of evaluation " + i);
            assertEquals(expected.get(i)[1], actual.get(i)[1], 5e-3 * expected.get(i)[1], "val loss of evaluation " + i);
        }
        assertTrue(IntStream.range(0, expected.size()).anyMatch(i -> expected.get(i)[0] != actual.get(i)[0]),
                "the losses equal fp32's bit for bit: bf16 did not run");
        assertTrue(actual.getLast()[0] < actual.getFirst()[0] - 0.5, "bf16 learned: train loss "
                + actual.getFirst()[0] + " -> " + actual.getLast()[0]);
        assertTrue(out.lines().anyMatch(l -> l.matches("memory estimate: parameters .* in all \\(fp32: [0-9.]+ KiB\\)")), out);
    }

    @Test
    void bf16OnTheCpuIsRefused() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT.repeat(20));
        assertBadInput(train(corpus, "cpu", "--device", "cpu", "--precision", "bf16"), "--precision bf16 needs a CUDA device",
                "leave --precision out");
    }

    @Test
    void anUnknownPrecisionIsRefused() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT.repeat(20));
        assertBadInput(train(corpus, "fp16", "--device", "cpu", "--precision", "fp16"), "unknown precision 'fp16'", "fp32 or bf16");
    }
}
