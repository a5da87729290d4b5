package dev.emerald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.model.Models;
import dev.emerald.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code train --device cuda-emu} end to end: the same losses as {@code --device cpu}, and the device memory in the log. */
class TrainOnCudaEmuTest {

    private static final String[] TINY = {"train", "--preset", "baby", "--n-layer", "1", "--n-embd", "32", "--n-head", "4",
            "--block-size", "16", "--batch-size", "4", "--dropout", "0.1", "--steps", "20", "--eval-interval", "5",
            "--eval-iters", "2", "--lr", "3e-3", "--warmup-steps", "2", "--sample-tokens", "0"};
    private static final String TEXT = "It was the best of times, it was the worst of times, it was the age of wisdom, "
            + "it was the age of foolishness.\n";

    @TempDir
    Path tmp;

    private Cli.Result train(String device, Path corpus) {
        List<String> args = new ArrayList<>(List.of(TINY));
        args.addAll(List.of("--corpus", corpus.toString(), "--out", tmp.resolve(device).toString(), "--device", device));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    /** (train loss, val loss) of each evaluation in the run's metrics.jsonl. */
    private List<float[]> losses(String device) throws IOException {
        List<float[]> losses = new ArrayList<>();
        for (String line : Files.readAllLines(tmp.resolve(device).resolve(Checkpoint.METRICS))) {
            JsonNode m = Models.JSON.readTree(line);
            losses.add(new float[] {m.get("train_loss").floatValue(), m.get("val_loss").floatValue()});
        }
        return losses;
    }

    @Test
    void lossesEqualTheCpus() throws IOException {
        assumeTrue(DeviceChoice.emulatorUnavailable().isEmpty(), () -> DeviceChoice.emulatorUnavailable().orElseThrow());
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), TEXT.repeat(20));
        Cli.Result cpu = train("cpu", corpus), emu = train("cuda-emu", corpus);

        List<float[]> expected = losses("cpu"), actual = losses("cuda-emu");
        assertEquals(5, expected.size(), "evaluations at steps 0, 5, 10, 15, 20");
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], actual.get(i)[0], 1e-4, "train loss of evaluation " + i);
            assertEquals(expected.get(i)[1], actual.get(i)[1], 1e-4, "val loss of evaluation " + i);
        }
        assertTrue(expected.getLast()[0] < expected.getFirst()[0] - 0.5, "the model learned: train loss "
                + expected.getFirst()[0] + " -> " + expected.getLast()[0]);

        List<String> evals = emu.out().lines().filter(l -> l.contains("train loss")).toList();
        assertEquals(5, evals.size(), emu::toString);
        assertTrue(evals.stream().allMatch(l -> l.matches(".*val loss [0-9.]+ \\| device memory [0-9.]+ GiB / [0-9.]+ GiB \\|.*")),
                emu::toString);
        assertFalse(cpu.out().contains("device memory"), cpu::toString);
    }
}
