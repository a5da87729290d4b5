package dev.emerald.cli;

import dev.emerald.cli.Cli.Result;
import dev.emerald.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** quantize, then generate and eval on the int8 checkpoint, against the float one; bench int8; and the errors. */
class QuantizeCommandTest {
    private static final String[] TINY = {"--preset", "baby", "--n-layer", "2", "--n-embd", "32", "--n-head", "2",
            "--block-size", "16", "--batch-size", "4", "--steps", "6", "--eval-interval", "6", "--eval-iters", "3",
            "--seed", "9", "--sample-tokens", "0"};
    private static final String TEXT = "the quick brown fox jumps over the lazy dog; then it naps.\n".repeat(40);

    @TempDir
    Path tmp;

    private Path corpus() throws IOException {
        return Files.writeString(tmp.resolve("corpus.txt"), TEXT);
    }

    private Path trainTiny(String... more) throws IOException {
        Path dir = tmp.resolve("float");
        assertOk(run(Cli.concat(Cli.concat(new String[] {"train", "--corpus", corpus().toString(), "--out", dir.toString()}, TINY), more)));
        return dir;
    }

    private static Matcher find(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), () -> "no " + regex + " in\n" + text);
        return m;
    }

    private static double valLoss(String evalOutput) {
        return Double.parseDouble(find("val loss ([0-9.]+)", evalOutput).group(1));
    }

    @Test
    void theInt8CheckpointGeneratesAndEvaluatesAsTheFloatOneQuantizedOnLoad() throws IOException {
        Path dir = trainTiny(), q = tmp.resolve("int8");
        Matcher sizes = find("model.safetensors ([0-9,]+) bytes -> ([0-9,]+) bytes", assertOk(run("quantize", "--model", dir.toString(),
                "--out", q.toString())));
        assertEquals(Files.size(dir.resolve("model.safetensors")), Long.parseLong(sizes.group(1).replace(",", "")));
        assertEquals(Files.size(q.resolve("model.safetensors")), Long.parseLong(sizes.group(2).replace(",", "")));
        assertTrue(assertOk(run("info", q.toString())).contains("quantization: int8"));

        String[] generate = {"--prompt", "the ", "--max-new-tokens", "30", "--seed", "4", "--device", "cpu"};
        assertEquals(assertOk(run(Cli.concat(new String[] {"generate", "--model", dir.toString(), "--int8"}, generate))),
                assertOk(run(Cli.concat(new String[] {"generate", "--model", q.toString()}, generate))));

        // training's evaluation drew the same windows: its last val loss, to the printed digits
        String[] eval = {"--corpus", corpus().toString(), "--batch-size", "4", "--batches", "3", "--seed", "9", "--device", "cpu"};
        List<String> metrics = Files.readAllLines(dir.resolve("metrics.jsonl"));
        double trained = Models.JSON.readTree(metrics.getLast()).get("val_loss").asDouble();
        double floats = valLoss(assertOk(run(Cli.concat(new String[] {"eval", "--model", dir.toString()}, eval))));
        assertEquals(trained, floats, 5e-5);
        String int8 = assertOk(run(Cli.concat(new String[] {"eval", "--model", q.toString()}, eval)));
        assertTrue(int8.contains("int8 weights"), int8);
        assertEquals(int8, assertOk(run(Cli.concat(new String[] {"eval", "--model", dir.toString(), "--int8"}, eval))));
        assertEquals(floats, valLoss(int8), 0.02, "quantization moves the loss little");
    }

    @Test
    void badInputGetsOneLine() throws IOException {
        Path dir = trainTiny(), q = tmp.resolve("int8");
        assertBadInput(run("quantize", "--model", tmp.resolve("none").toString(), "--out", q.toString()), "no checkpoint at");
        Files.createDirectories(tmp.resolve("taken/file"));
        assertBadInput(run("quantize", "--model", dir.toString(), "--out", tmp.resolve("taken").toString()), "already exists");
        assertOk(run("quantize", "--model", dir.toString(), "--out", q.toString()));
        assertBadInput(run("quantize", "--model", q.toString(), "--out", tmp.resolve("again").toString()), "int8-quantized already");
        assertBadInput(run("train", "--resume", "--out", q.toString(), "--steps", "8"), "int8-quantized", "inference only");
        Path pairs = Files.writeString(tmp.resolve("pairs.jsonl"), "{\"prompt\": \"a\", \"completion\": \"b\"}\n");
        assertBadInput(run("finetune", "--model", q.toString(), "--data", pairs.toString(), "--out", tmp.resolve("ft").toString()),
                "int8 weights", "inference only");
        assertBadInput(run("eval", "--model", dir.toString(), "--data", tmp.toString(), "--val-fraction", "0.2"), "--val-fraction");
        Result noText = run("eval", "--model", dir.toString());
        assertEquals(2, noText.exit(), noText::toString);

        Path bigram = tmp.resolve("bigram");
        assertOk(run("train", "--preset", "bigram", "--corpus", corpus().toString(), "--out", bigram.toString(), "--steps", "2",
                "--eval-interval", "2", "--eval-iters", "1", "--sample-tokens", "0"));
        assertBadInput(run("quantize", "--model", bigram.toString(), "--out", tmp.resolve("q2").toString()), "bigram");
        assertBadInput(run("generate", "--model", bigram.toString(), "--int8"), "bigram");
    }

    /** A baby model with 50 tokens: 4 layers of 12 * 128^2 weights plus the 50 x 128 head; a scale per row. */
    @Test
    void benchInt8PrintsBothRatesAndTheirRatio() {
        String out = assertOk(run("bench", "int8", "--preset", "baby", "--vocab-size", "50", "--rounds", "1", "--seconds", "0.05",
                "--device", "cpu"));
        long values = 4L * 12 * 128 * 128 + 50 * 128, scales = 4L * 9 * 128 + 50;
        Matcher sizes = find("weight matrices ([0-9.]+) MiB as floats, ([0-9.]+) MiB as int8", out);
        assertEquals(4.0 * values / (1 << 20), Double.parseDouble(sizes.group(1)), 0.05);
        assertEquals((values + 4.0 * scales) / (1 << 20), Double.parseDouble(sizes.group(2)), 0.05);
        Matcher rows = Pattern.compile("(?m)^(.+?) +([0-9.]+) +([0-9.]+) +([0-9.]+)x  (GFLOP/s|tokens/s)$").matcher(out);
        int n = 0;
        for (; rows.find(); n++) {
            // the rates are printed to 0.005, the ratio to 0.005 of the unrounded rates
            double f = Double.parseDouble(rows.group(2)), q = Double.parseDouble(rows.group(3)), ratio = Double.parseDouble(rows.group(4));
            assertTrue(f > 0.005 && q > 0, out);
            assertTrue(ratio >= (q - 0.005) / (f + 0.005) - 0.005 && ratio <= (q + 0.005) / (f - 0.005) + 0.005, rows.group(1) + "\n" + out);
        }
        assertEquals(7, n, "qkv, attproj, fc, fcproj, LM head, the forward of a token and of a block:\n" + out);
    }
}
