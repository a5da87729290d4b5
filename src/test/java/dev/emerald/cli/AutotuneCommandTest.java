package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.model.Models;
import dev.emerald.model.TrainingMemory;
import dev.emerald.util.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** autotune's search against the memory estimates computed here, and its choice against the table it prints. */
class AutotuneCommandTest {
    private static final String MODEL = "{\"architecture\":\"gpt\",\"block_size\":8,\"n_layer\":1,\"n_head\":2,\"n_embd\":16,"
            + "\"dropout\":0.0,\"prenorm\":true,\"activation\":\"gelu\",\"qkv_bias\":true,\"tie_embeddings\":true,\"lm_head_bias\":false,"
            + "\"scaled_residual_init\":true,\"vocab_size\":32}";
    private static final String TRAIN = "{\"batch_size\":4,\"learning_rate\":1e-3,\"min_lr\":1e-4,\"warmup_steps\":1,\"max_steps\":10,"
            + "\"weight_decay\":0.1,\"beta1\":0.9,\"beta2\":0.99,\"grad_clip\":1.0,\"eval_interval\":5,\"eval_iters\":1}";
    private static final long BUDGET = 1 << 20;
    private static final Pattern ROW = Pattern.compile(
            " *([0-9]+) +([0-9]+) +([0-9]+) +([0-9,]+) +([0-9.]+ [KMG]?i?B) +([0-9.]+ [KMG]?i?B|-[0-9.]+ [KMG]?i?B) +(-?[0-9.]+) ?(.*)");

    @TempDir
    Path tmp;

    private record Row(int micro, int block, int accum, double tokensPerS, String note) {
    }

    private static long estimate(int B, int T) throws IOException {
        ObjectNode model = (ObjectNode) Models.JSON.readTree(MODEL);
        return TrainingMemory.of(model.put("block_size", T), new CpuBackend(), B, T).total();
    }

    @Test
    void largestSizesFitTheBudgetAndTheChoiceIsTheFastestSplit() throws IOException {
        Path preset = Files.writeString(tmp.resolve("tiny.json"), "{\"model\":" + MODEL + ",\"train\":" + TRAIN + "}");
        String out = Cli.assertOk(Cli.run("autotune", "--preset", preset.toString(), "--device", "cpu", "--budget", "1MiB",
                "--effective-batch", "6", "--max-block-size", "64", "--steps", "1"));
        assertTrue(out.contains("vocabulary 32, block size 8, effective batch 6, budget 1.0 MiB"), out);
        List<Row> rows = new ArrayList<>();
        for (String line : out.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new Row(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        Double.parseDouble(m.group(4).replace(",", "")), m.group(8)));
                assertEquals(Bytes.human(estimate(rows.getLast().micro, rows.getLast().block)), m.group(5), line);
            }
        }
        assertEquals(6, rows.size(), out);

        Row byBatch = rows.get(0), byBlock = rows.get(1);
        assertEquals("largest micro-batch that fits", byBatch.note);
        assertEquals(8, byBatch.block);
        assertTrue(estimate(byBatch.micro, 8) <= BUDGET && estimate(byBatch.micro + 1, 8) > BUDGET, byBatch::toString);
        assertEquals("largest block size that fits", byBlock.note);
        assertEquals(1, byBlock.micro);
        assertTrue(estimate(1, byBlock.block) <= BUDGET && (byBlock.block * 2 > 64 || estimate(1, byBlock.block * 2) > BUDGET), byBlock::toString);

        // an effective batch of 6 in micro-batches of at most 1, 2, 4 and 6: 6 x 1, 3 x 2, 2 x 3, 1 x 6
        List<Row> splits = rows.subList(2, 6);
        assertEquals(List.of(1, 2, 3, 6), splits.stream().map(Row::micro).toList());
        assertEquals(List.of(6, 3, 2, 1), splits.stream().map(Row::accum).toList());
        Row fastest = splits.stream().max((a, b) -> Double.compare(a.tokensPerS, b.tokensPerS)).orElseThrow();
        assertTrue(out.contains("choice for an effective batch of 6 at block size 8: micro-batch " + fastest.micro + " x " + fastest.accum), out);
        String command = "train with: emerald train --preset " + preset + " --block-size 8 --batch-size " + fastest.micro + " --effective-batch 6";
        assertTrue(out.contains(command), out);

        // the choice trains
        Path text = Files.writeString(tmp.resolve("text.txt"), "the quick brown fox jumps over the lazy dog.\n".repeat(10));
        List<String> train = new ArrayList<>(List.of(command.substring("train with: emerald ".length()).split(" ")));
        train.addAll(List.of("--corpus", text.toString(), "--steps", "2", "--out", tmp.resolve("run").toString(), "--sample-tokens", "0",
                "--device", "cpu"));
        assertTrue(Cli.assertOk(Cli.run(train.toArray(String[]::new))).contains("batch " + fastest.micro + " x " + fastest.accum + " x 8"));
    }

    @Test
    void aBudgetTooSmallOrNotASizeIsRefused() throws IOException {
        Path preset = Files.writeString(tmp.resolve("tiny.json"), "{\"model\":" + MODEL + ",\"train\":" + TRAIN + "}");
        Cli.assertBadInput(Cli.run("autotune", "--preset", preset.toString(), "--device", "cpu", "--budget", "16K"),
                "to train on one sequence of 8 tokens, more than the budget of 16.0 KiB", "--budget");
        Cli.assertBadInput(Cli.run("autotune", "--preset", preset.toString(), "--device", "cpu", "--budget", "lots"),
                "'lots' is not a size");
    }
}
