package dev.emerald.cli;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.Tokenizer;
import dev.emerald.generate.Completion;
import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.model.Gpt;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.LoraCheckpoint;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code emerald finetune} end to end: a tiny model, near random, learns to answer a generated instruction set ("word: abc\nloud:" ->
 * " ABC!") in its format and to stop at the end token on prompts it never saw; bad pairs files are named by line.
 */
class FinetuneCommandTest {
    private static final String[] BASE = {"train", "--preset", "baby", "--n-layer", "2", "--n-embd", "48", "--n-head", "4",
            "--block-size", "32", "--steps", "1", "--sample-tokens", "0", "--device", "cpu"};
    private static final String[] TUNE = {"--lr", "3e-3", "--warmup-steps", "10", "--eval-interval", "100", "--eval-iters", "2"};

    @TempDir
    static Path shared;
    static Path base;
    static Path pairs;
    /** Words that are in no pair of the file. */
    static List<String> unseen;

    @TempDir
    Path tmp;

    /** n distinct random words of 3-5 letters from a-p, as pairs. */
    private static List<String> words(int n) {
        Rng rng = Rng.of(1);
        Set<String> words = new LinkedHashSet<>();
        while (words.size() < n) {
            StringBuilder w = new StringBuilder();
            for (int i = 3 + rng.nextInt(3); i > 0; i--) {
                w.append((char) ('a' + rng.nextInt(16)));
            }
            words.add(w.toString());
        }
        return new ArrayList<>(words);
    }

    private static String pair(String word) {
        return "{\"prompt\": \"word: " + word + "\\nloud:\", \"completion\": \" " + word.toUpperCase(Locale.ROOT) + "!\"}\n";
    }

    @BeforeAll
    static void baseModelAndPairs() throws IOException {
        Path text = Files.writeString(shared.resolve("text.txt"), "the quick brown fox jumps over the lazy dog.\n".repeat(20));
        base = shared.resolve("base");
        Cli.assertOk(Cli.run(Cli.concat(BASE, "--corpus", text.toString(), "--out", base.toString())));
        StringBuilder jsonl = new StringBuilder();
        List<String> words = words(310);
        words.subList(0, 300).forEach(w -> jsonl.append(pair(w)));
        pairs = Files.writeString(shared.resolve("pairs.jsonl"), jsonl);
        unseen = words.subList(300, 310);
    }

    private Cli.Result finetune(Path out, String... more) {
        return Cli.run(Cli.concat(new String[] {"finetune", "--model", base.toString(), "--data", pairs.toString(),
                "--out", out.toString(), "--device", "cpu"}, more));
    }

    @Test
    void heldOutPromptsAreAnsweredInTheTrainedFormatAndStopAtTheEndToken() throws IOException {
        Path out = tmp.resolve("tuned");
        String log = Cli.assertOk(finetune(out, Cli.concat(TUNE, "--steps", "300", "--examples", "10")));
        assertTrue(log.contains("its character vocabulary gains 19: \"\\u0003\" \"!\" \":\" \"A\""), log);
        assertTrue(log.matches("(?s).*pairs.jsonl: [0-9]+ train \\+ [0-9]+ validation pairs \\| batch 16 x 1 x 2[0-9], 300 steps.*"), log);

        assertTrue(log.matches("(?s).*[0-9]+ of 10 held-out prompts completed as in the data; [0-9]+ ended with the end token.*"), log);

        Checkpoint.Loaded tuned = Checkpoint.load(out, new CpuBackend());
        assertEquals(null, tuned.state().corpus());
        assertEquals(pairs.toString(), tuned.state().pairs());
        Tokenizer tok = tuned.tokenizer();
        TextGenerator generator = new TextGenerator(new Generator(tuned.model()), tok);
        for (String word : unseen) {
            Completion c = generator.generate("word: " + word + "\nloud:", SamplingSettings.DEFAULTS.withTemperature(0).withMaxNewTokens(40),
                    s -> { }, () -> false);
            assertEquals(Completion.FinishReason.END_OF_TEXT, c.finishReason(), word + " -> " + c.text());
            assertTrue(c.text().matches(" [A-P]+!"), word + " -> " + c.text());
        }

        // emerald generate stops there too: the prompt, the answer, and nothing more
        String prompt = "word: " + unseen.getFirst() + "\nloud:";
        String generated = Cli.assertOk(Cli.run("generate", "--model", out.toString(), "--prompt", prompt, "--temperature", "0",
                "--max-new-tokens", "40", "--device", "cpu"));
        assertTrue(generated.matches("(?s)" + Pattern.quote(prompt) + " [A-P]+!\n"), generated);
    }

    /** The val losses of a run's log, in order. */
    private static List<Double> valLosses(String log) {
        return Pattern.compile("val loss ([0-9.]+) \\|").matcher(log).results().map(m -> Double.parseDouble(m.group(1))).toList();
    }

    @Test
    void aLoraFineTuneLearnsTheFormatAndSavesOnlyItsAdaptersWhichLoadMerged() throws IOException {
        Path out = tmp.resolve("lora");
        String log = Cli.assertOk(finetune(out, "--lr", "1e-2", "--warmup-steps", "10", "--eval-interval", "100", "--eval-iters", "2", "--steps", "300", "--examples", "10",
                "--lora-rank", "8"));
        assertTrue(log.contains("LoRA rank 8, alpha 8.0 on 8 projections"), log);
        List<Double> val = valLosses(log);
        assertTrue(val.getLast() < val.getFirst() / 2, "val loss " + val);

        // only the adapters (and the grown vocabulary's embedding) are saved, far smaller than the model
        assertTrue(Files.notExists(out.resolve(Checkpoint.MODEL)), "no model.safetensors");
        long adapters = Files.size(out.resolve(LoraCheckpoint.ADAPTER)), model = Files.size(base.resolve(Checkpoint.MODEL));
        assertTrue(adapters < model / 2, adapters + " vs " + model);
        System.out.printf("LoRA r=8 adapter.safetensors %,d bytes, optimizer %,d; the base's model.safetensors %,d%n", adapters,
                Files.size(out.resolve(Checkpoint.OPTIMIZER)), model);

        // loaded merged: a plain GPT that answers prompts in no pair in the format and stops
        Checkpoint.Loaded merged = Checkpoint.load(out, new CpuBackend());
        assertTrue(merged.model() instanceof Gpt, "merged into a GPT");
        TextGenerator generator = new TextGenerator(new Generator(merged.model()), merged.tokenizer());
        int inFormat = 0;
        for (String word : unseen) {
            Completion c = generator.generate("word: " + word + "\nloud:", SamplingSettings.DEFAULTS.withTemperature(0).withMaxNewTokens(40),
                    s -> { }, () -> false);
            inFormat += c.finishReason() == Completion.FinishReason.END_OF_TEXT && c.text().matches(" [A-P]+!") ? 1 : 0;
        }
        assertTrue(inFormat >= 7, inFormat + " of 10 in format");
    }

    @Test
    void aLoraRunResumesExactlyAndRefusesAMissingOrChangedBase() throws IOException {
        Path copy = tmp.resolve("base");
        for (String f : new String[] {Checkpoint.CONFIG, Checkpoint.MODEL, Tokenizer.FILE_NAME}) {
            Files.createDirectories(copy);
            Files.copy(base.resolve(f), copy.resolve(f));
        }
        String[] flat = {"--eval-interval", "2", "--lr", "1e-2", "--min-lr", "1e-2", "--warmup-steps", "0", "--examples", "0", "--lora-rank", "2"};
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        Cli.assertOk(Cli.run(Cli.concat(new String[] {"finetune", "--model", copy.toString(), "--data", pairs.toString(), "--out",
                whole.toString(), "--device", "cpu", "--steps", "4"}, flat)));
        Cli.assertOk(Cli.run(Cli.concat(new String[] {"finetune", "--model", copy.toString(), "--data", pairs.toString(), "--out",
                split.toString(), "--device", "cpu", "--steps", "2"}, flat)));
        Cli.assertOk(Cli.run("finetune", "--resume", "--out", split.toString(), "--steps", "4", "--examples", "0", "--device", "cpu"));
        for (String file : new String[] {LoraCheckpoint.ADAPTER, Checkpoint.OPTIMIZER, Tokenizer.FILE_NAME}) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(file)), Files.readAllBytes(split.resolve(file)), file + " after 2 + 2 steps");
        }
        Cli.assertBadInput(Cli.run("finetune", "--resume", "--out", split.toString(), "--lora-rank", "4", "--device", "cpu"),
                "--lora-rank", "leave them out");
        Cli.assertBadInput(finetune(tmp.resolve("x"), "--lora-rank", "0"), "--lora-rank must be at least 1");

        byte[] weights = Files.readAllBytes(copy.resolve(Checkpoint.MODEL));
        weights[weights.length - 1] ^= 1;
        Files.write(copy.resolve(Checkpoint.MODEL), weights);
        Cli.assertBadInput(Cli.run("generate", "--model", whole.toString(), "--prompt", "word:", "--device", "cpu"), "has changed since");
        Files.delete(copy.resolve(Checkpoint.MODEL));
        Cli.assertBadInput(Cli.run("generate", "--model", whole.toString(), "--prompt", "word:", "--device", "cpu"), "is missing");
    }

    @Test
    void aStoppedRunResumesExactlyAndRunsResumeOnlyAsTheirOwnKind() throws IOException {
        String[] flat = {"--eval-interval", "2", "--lr", "1e-3", "--min-lr", "1e-3", "--warmup-steps", "0", "--examples", "0"};
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        Cli.assertOk(finetune(whole, Cli.concat(flat, "--steps", "4")));
        Cli.assertOk(finetune(split, Cli.concat(flat, "--steps", "2")));
        Cli.assertOk(Cli.run("finetune", "--resume", "--out", split.toString(), "--steps", "4", "--examples", "0", "--device", "cpu"));
        for (String file : new String[] {Checkpoint.MODEL, Checkpoint.OPTIMIZER, Tokenizer.FILE_NAME}) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(file)), Files.readAllBytes(split.resolve(file)), file + " after 2 + 2 steps");
        }

        byte[] model = Files.readAllBytes(whole.resolve(Checkpoint.MODEL));
        Cli.assertBadInput(finetune(whole, "--steps", "2"), "already holds a checkpoint", "--overwrite");
        assertArrayEquals(model, Files.readAllBytes(whole.resolve(Checkpoint.MODEL)), "nothing replaced");
        Cli.assertBadInput(Cli.run("train", "--resume", "--out", whole.toString(), "--device", "cpu"), "fine-tuning run",
                "finetune --resume");
        Cli.assertBadInput(Cli.run("finetune", "--resume", "--out", base.toString(), "--device", "cpu"), "not a fine-tuning one",
                "train --resume");
        Cli.assertBadInput(Cli.run("finetune", "--out", tmp.resolve("x").toString(), "--device", "cpu"), "--model", "--data");
    }

    @Test
    void badPairsAreNamedByTheirLine() throws IOException {
        Path out = tmp.resolve("out");
        String[][] cases = {
                {"", "is empty"},
                {"  \n\n", "holds no pairs"},
                {"{\"prompt\": \"a\", \"completion\": \"b\"}\nnot json\n", "line 2 is not JSON"},
                {"\n{\"prompt\": \"a\"}\n", "line 2 has no \"completion\""},
                {"{\"prompt\": \"a\", \"completion\": 3}", "line 1: \"completion\" is not a string"},
                {"[\"a\", \"b\"]", "line 1 is not a JSON object"},
                {"{\"prompt\": \"\", \"completion\": \"b\"}", "line 1 has an empty prompt"},
        };
        for (String[] c : cases) {
            Path file = Files.writeString(tmp.resolve("bad.jsonl"), c[0]);
            Cli.assertBadInput(Cli.run("finetune", "--model", base.toString(), "--data", file.toString(), "--out", out.toString(),
                    "--device", "cpu"), "bad.jsonl", c[1]);
        }
        Cli.assertBadInput(Cli.run("finetune", "--model", base.toString(), "--data", tmp.resolve("nosuch.jsonl").toString(),
                "--out", out.toString(), "--device", "cpu"), "nosuch.jsonl", "does not exist");
        assertTrue(Files.notExists(out), "nothing written");
    }
}
