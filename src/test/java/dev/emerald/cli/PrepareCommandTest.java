package dev.emerald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.cli.Cli.Result;
import dev.emerald.data.prep.MiniOpenWebText;
import dev.emerald.model.Models;
import dev.emerald.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.concat;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** emerald prepare, then train --data on the shards it wrote; and their answers to bad input. */
class PrepareCommandTest {
    /** A tiny model with a constant learning rate, so that a run's schedule does not depend on its length. */
    private static final String[] TINY = {"--preset", "baby", "--n-layer", "1", "--n-embd", "16", "--n-head", "2", "--block-size", "8",
            "--batch-size", "2", "--eval-iters", "1", "--sample-tokens", "5", "--lr", "1e-3", "--min-lr", "1e-3", "--warmup-steps", "0"};

    @TempDir
    static Path shared;
    static MiniOpenWebText.Corpus corpus;
    static Path data;
    static String prepared;

    @TempDir
    Path tmp;

    @BeforeAll
    static void prepare() throws IOException {
        corpus = MiniOpenWebText.write(shared.resolve("owt"), new MiniOpenWebText.Spec(1, 3, 10, 500, 9, 1, 1, false));
        data = shared.resolve("data");
        prepared = assertOk(run(command("prepare", inputs(), "--out", data.toString(), "--tokenizer", "char")));
    }

    private static String[] command(String name, String[] first, String... more) {
        return concat(concat(new String[] {name}, first), more);
    }

    private static String[] inputs() {
        return corpus.huggingFace().stream().map(Path::toString).toArray(String[]::new);
    }

    @Test
    void prepareReportsWhatItDidAndARerunIsUpToDate() {
        assertTrue(prepared.contains("prepared " + data + ": 20 documents"), prepared);
        assertTrue(prepared.contains("skipped " + corpus.huggingFace().getFirst() + "/openwebtext/" + corpus.corruptMember().name()
                + ": truncated"), prepared);
        String again = assertOk(run(command("prepare", inputs(), "--out", data.toString(), "--tokenizer", "char")));
        assertTrue(again.contains(data + " is up to date"), again);
    }

    @Test
    void trainOnPreparedDataResumesExactly() throws IOException {
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        String out = assertOk(run(command("train", TINY, "--data", data.toString(), "--steps", "4", "--eval-interval", "4",
                "--out", whole.toString())));
        assertTrue(out.contains(data + ": "), out);
        assertOk(run(command("train", TINY, "--data", data.toString(), "--steps", "2", "--eval-interval", "2", "--out", split.toString())));
        JsonNode state = Models.JSON.readTree(split.resolve(Checkpoint.STATE).toFile());
        assertEquals(data.toString(), state.path("data").asText());
        assertTrue(state.path("corpus").isNull(), state.toString());
        assertOk(run("train", "--resume", "--out", split.toString(), "--steps", "4", "--eval-interval", "4", "--sample-tokens", "0"));
        for (String file : new String[] {Checkpoint.MODEL, Checkpoint.OPTIMIZER}) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(file)), Files.readAllBytes(split.resolve(file)), file + " after 2 + 2 steps");
        }
    }

    @Test
    void badInputEndsWithOneLine() throws IOException {
        assertBadInput(run("prepare", tmp.resolve("nosuch.txt").toString(), "--out", tmp.resolve("o").toString()), "nosuch.txt", "does not exist");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.write(empty.resolve("blank.txt"), new byte[0]);
        Files.write(empty.resolve("photo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertBadInput(run("prepare", empty.toString(), "--out", tmp.resolve("o").toString()), "no text found", "photo.png");

        Path story = tmp.resolve("story.xz");
        ByteArrayOutputStream xz = new ByteArrayOutputStream();
        try (XZOutputStream out = new XZOutputStream(xz, new LZMA2Options(1))) {
            out.write("Once upon a time there was a story that got cut short.\n".repeat(200).getBytes(StandardCharsets.UTF_8));
        }
        Files.write(story, Arrays.copyOf(xz.toByteArray(), xz.size() - 40));
        assertBadInput(run("prepare", story.toString(), "--out", tmp.resolve("o").toString()), "no text found", "story.xz", "truncated");
        assertFalse(Files.exists(tmp.resolve("o")), "a failed prepare leaves no output");

        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("keep.txt"), "precious");
        assertBadInput(run("prepare", corpus.huggingFace().getFirst().toString(), "--out", mine.toString()), "not a prepared data directory");
        assertEquals("precious", Files.readString(mine.resolve("keep.txt")));

        assertBadInput(run(command("train", TINY, "--data", tmp.resolve("nodata").toString(), "--out", tmp.resolve("r").toString())),
                "does not exist", "emerald prepare");
        assertBadInput(run(command("train", TINY, "--data", mine.toString(), "--out", tmp.resolve("r").toString())), "no meta.json");
        assertBadInput(run(command("train", TINY, "--data", data.toString(), "--tokenizer", "gpt2", "--out", tmp.resolve("r").toString())),
                "--tokenizer does not apply to --data");
        Result both = run(command("train", TINY, "--data", data.toString(), "--corpus", story.toString(), "--out", tmp.resolve("r").toString()));
        assertEquals(2, both.exit(), both::toString);
        assertTrue(both.err().contains("mutually exclusive"), both::toString);
    }
}
