package dev.emerald.cli;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.backend.cuda.CudaProbe;
import dev.emerald.cli.Cli.Result;
import dev.emerald.io.SafeTensors;
import dev.emerald.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Each bad input ends with exit code 1, one "emerald: " line on stderr saying what is wrong, and no damage. */
class BadInputTest {
    private static final String[] TINY = {"--preset", "baby", "--n-layer", "1", "--n-embd", "16", "--n-head", "2",
            "--block-size", "8", "--batch-size", "2", "--steps", "3", "--eval-interval", "3", "--eval-iters", "1",
            "--sample-tokens", "5"};
    private static final String TEXT = "the quick brown fox jumps over the lazy dog.\n".repeat(10);

    @TempDir
    Path tmp;

    private Result train(Path corpus, String... more) {
        return run(Cli.concat(Cli.concat(new String[] {"train", "--corpus", corpus.toString()}, TINY), more));
    }

    private Path corpus(String text) throws IOException {
        return Files.writeString(tmp.resolve("corpus.txt"), text);
    }

    /** Trains a tiny model into dir and returns the digests of its files. */
    private Map<String, String> trainTiny(Path dir, String text) throws IOException {
        Result r = train(corpus(text), "--out", dir.toString());
        assertEquals(0, r.exit(), r::toString);
        return hashes(dir);
    }

    /** SHA-256 of every file under dir, by relative path. */
    private static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                result.put(dir.relativize(f).toString(), HexFormat.of().formatHex(sha256(Files.readAllBytes(f))));
            }
        }
        return result;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Rewrites dir's model.safetensors with its tensors passed through edit (which may drop or reshape them). */
    private static void rewriteModel(Path dir, UnaryOperator<List<SafeTensors.Entry>> edit) {
        Path file = dir.resolve(Checkpoint.MODEL);
        List<SafeTensors.Entry> entries = new ArrayList<>();
        Map<String, String> metadata;
        try (SafeTensors.Reader reader = SafeTensors.Reader.open(file)) {
            metadata = reader.metadata();
            for (SafeTensors.TensorInfo t : reader.tensors()) {
                float[] data = new float[Math.toIntExact(t.elements())];
                reader.readFloats(t.name(), data, 0);
                entries.add(new SafeTensors.Entry(t.name(), t.shape(), data, 0, data.length));
            }
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        SafeTensors.write(file, edit.apply(entries), metadata);
    }

    @Test
    void missingCorpusFile() {
        Path missing = tmp.resolve("nosuch.txt");
        assertBadInput(train(missing, "--out", tmp.resolve("run").toString()), "nosuch.txt", "neither an existing file");
    }

    @Test
    void emptyCorpusFile() throws IOException {
        assertBadInput(train(corpus(""), "--out", tmp.resolve("run").toString()), "corpus.txt", "empty");
    }

    @Test
    void binaryCorpusFile() throws IOException {
        Path file = Files.write(tmp.resolve("data.bin"), new byte[] {'a', 'b', 0, 1, 2, 'c'});
        assertBadInput(train(file, "--out", tmp.resolve("run").toString()), "data.bin", "binary");
    }

    @Test
    void invalidUtf8Corpus() throws IOException {
        Path file = Files.write(tmp.resolve("latin1.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        assertBadInput(train(file, "--out", tmp.resolve("run").toString()), "latin1.txt", "not valid UTF-8");
    }

    @Test
    void corpusShorterThanABlock() throws IOException {
        assertBadInput(train(corpus("0123456789"), "--out", tmp.resolve("run").toString()), "corpus.txt", "block_size + 1");
    }

    @Test
    void unknownPreset() throws IOException {
        Result r = run("train", "--preset", "nosuch", "--corpus", corpus(TEXT).toString(), "--out", tmp.resolve("run").toString());
        assertBadInput(r, "unknown preset 'nosuch'");
    }

    @Test
    void promptOutsideTheVocabulary() throws IOException {
        Path dir = tmp.resolve("run");
        trainTiny(dir, TEXT);
        assertBadInput(run("generate", "--model", dir.toString(), "--prompt", "Z", "--max-new-tokens", "3"), "prompt", "'Z'");
    }

    @Test
    void checkpointWithAMissingTensor() throws IOException {
        Path dir = tmp.resolve("run");
        trainTiny(dir, TEXT);
        rewriteModel(dir, entries -> entries.stream().filter(e -> !e.name().equals("transformer.wte.weight")).toList());
        assertBadInput(run("generate", "--model", dir.toString(), "--max-new-tokens", "3"), "transformer.wte.weight");
    }

    @Test
    void checkpointWithAMisshapedTensor() throws IOException {
        Path dir = tmp.resolve("run");
        trainTiny(dir, TEXT);
        rewriteModel(dir, entries -> entries.stream().map(e -> !e.name().equals("transformer.wte.weight") ? e
                : new SafeTensors.Entry(e.name(), new long[] {e.shape()[0] - 1, e.shape()[1]}, e.data(), 0,
                        (int) ((e.shape()[0] - 1) * e.shape()[1]))).toList());
        assertBadInput(run("generate", "--model", dir.toString(), "--max-new-tokens", "3"), "transformer.wte.weight", "shape");
    }

    @Test
    void truncatedCheckpoint() throws IOException {
        Path dir = tmp.resolve("run");
        trainTiny(dir, TEXT);
        Path model = dir.resolve(Checkpoint.MODEL);
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(bytes, bytes.length / 2));
        assertBadInput(run("generate", "--model", dir.toString(), "--max-new-tokens", "3"), Checkpoint.MODEL);
    }

    @Test
    void outputUnderARegularFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("somefile"), "not a directory");
        Result r = train(corpus(TEXT), "--out", file.resolve("run").toString());
        assertBadInput(r, "cannot write checkpoints", "somefile is a file, not a directory");
        assertFalse(r.out().contains("step"), r::toString);
    }

    @Test
    void lossBecomingNaNLeavesTheCheckpointIntact() throws IOException {
        Path dir = tmp.resolve("run");
        Map<String, String> before = trainTiny(dir, TEXT);
        Result r = run("train", "--out", dir.toString(), "--resume", "--steps", "50", "--lr", "1e30", "--grad-clip", "0",
                "--eval-interval", "100", "--sample-tokens", "0");
        assertBadInput(r, "the loss became", "intact");
        assertEquals(before, hashes(dir));
    }

    @Test
    void existingCheckpointIsNotOverwritten() throws IOException {
        Path dir = tmp.resolve("run");
        Map<String, String> before = trainTiny(dir, TEXT);
        assertBadInput(train(corpus(TEXT), "--out", dir.toString()), "already holds a checkpoint", "--resume");
        assertEquals(before, hashes(dir));
    }

    /** The line --device cuda ends with where no GPU works. */
    private static String cudaUnavailable() {
        CudaProbe.Status status = CudaProbe.status();
        assumeFalse(status.available(), "a CUDA GPU works here");
        return "emerald: CUDA is not available: " + status.unavailableReason().orElseThrow() + "; use --device cpu";
    }

    @Test
    void cudaWithoutAGpuOnTrain() throws IOException {
        String expected = cudaUnavailable();
        Result r = train(corpus(TEXT), "--out", tmp.resolve("run").toString(), "--device", "cuda");
        assertBadInput(r);
        assertTrue(r.err().startsWith(expected), r::toString);
        assertFalse(Files.exists(tmp.resolve("run")), "nothing written");
    }

    @Test
    void cudaWithoutAGpuOnGenerate() throws IOException {
        Path dir = tmp.resolve("run");
        trainTiny(dir, TEXT);
        String expected = cudaUnavailable();
        Result r = run("generate", "--model", dir.toString(), "--max-new-tokens", "3", "--device", "cuda");
        assertBadInput(r);
        assertTrue(r.err().startsWith(expected), r::toString);
        assertEquals("", r.out(), "no text generated");
    }

    @Test
    void cudaEmuWithoutTheEmulator() throws IOException {
        assumeTrue(DeviceChoice.emulatorUnavailable().isPresent(), "the emulator is in this build");
        assertBadInput(train(corpus(TEXT), "--out", tmp.resolve("run").toString(), "--device", "cuda-emu"),
                "cuda-emu is not available", DeviceChoice.EMULATOR_LIBRARY, "--device cpu");
    }

    @Test
    void bf16OnTheCpu() throws IOException {
        assertBadInput(train(corpus(TEXT), "--out", tmp.resolve("run").toString(), "--device", "cpu", "--precision", "bf16"),
                "--precision bf16 needs a CUDA device (--device cuda or cuda-emu)", "leave --precision out");
        assertFalse(Files.exists(tmp.resolve("run")), "nothing written");
    }

    @Test
    void unknownPrecision() throws IOException {
        assertBadInput(train(corpus(TEXT), "--out", tmp.resolve("run").toString(), "--precision", "fp16"),
                "unknown precision 'fp16'", "fp32 or bf16");
    }

    @Test
    void unknownDevice() throws IOException {
        assertBadInput(train(corpus(TEXT), "--out", tmp.resolve("run").toString(), "--device", "gpu"),
                "unknown device 'gpu'", "auto, cpu, cuda or cuda-emu");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Result r = train(tmp.resolve("nosuch.txt"), "--out", tmp.resolve("run").toString(), "--verbose");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("UserException") && r.err().contains("\tat "), r::toString);
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("emerald: ") && l.contains("nosuch.txt")), r::toString);
    }
}
