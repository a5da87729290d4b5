package dev.emerald.cli;

import dev.emerald.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.emerald.cli.Cli.assertBadInput;
import static dev.emerald.cli.Cli.assertOk;
import static dev.emerald.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    @TempDir
    Path tmp;

    private static double number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), () -> "no " + regex + " in\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void benchTrainTimesTheStepsTrainWouldRunAndWritesNothing() throws IOException {
        Path corpus = Files.writeString(tmp.resolve("corpus.txt"), "the quick brown fox jumps over the lazy dog.\n".repeat(10));
        List<Path> before;
        try (var files = Files.list(tmp)) {
            before = files.toList();
        }
        String out = assertOk(run("bench", "train", "--preset", "baby", "--corpus", corpus.toString(), "--n-layer", "2",
                "--n-embd", "16", "--n-head", "2", "--block-size", "8", "--batch-size", "3", "--steps", "4", "--untimed", "1"));
        assertEquals(1, out.lines().filter(l -> l.matches("step \\d+: .* ms, loss .* \\(untimed\\)")).count(), out);
        assertEquals(5, out.lines().filter(l -> l.matches("step \\d+: .* ms, loss .*")).count(), out);
        double ms = number(out, "ms/step: ([0-9.]+)");
        double tokens = number(out, "tokens/s: ([0-9]+)");
        // ms/step is printed to 0.1 ms
        assertEquals(3 * 8 / (ms / 1000), tokens, tokens * 0.05 / ms + 1, "tokens/s is B * T per median step");
        // 6 FLOPs per token and matmul weight (2 layers of 12 C^2, LM head V x C; the corpus has 29 characters),
        // 12 L C T per token for attention
        double perToken = 6 * (2 * 12 * 16 * 16 + 29 * 16) + 12 * 2 * 16 * 8;
        assertEquals(3 * 8 * perToken / 1e9, number(out, "\\(([0-9.e-]+) GFLOP a step\\)"), 1e-3 * 3 * 8 * perToken / 1e9);
        try (var files = Files.list(tmp)) {
            assertEquals(before, files.toList(), "no checkpoint or any other file written");
        }
    }

    /** The medians, ratio and tokens/s line are those of the rounds printed. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void benchGenerateTimesTheCacheAgainstTheRecompute(boolean int8) {
        String[] args = {"bench", "generate", "--device", "cpu", "--n-layer", "1", "--n-embd", "16", "--n-head", "2",
                "--block-size", "8", "--tokens", "20", "--rounds", "3"};
        String out = assertOk(run(int8 ? Cli.concat(args, "--int8") : args));
        assertEquals(int8, out.lines().findFirst().orElseThrow().startsWith("course (int8 weights): "), out);
        Matcher round = Pattern.compile("round (\\d+): kv-cache ([0-9.]+) tokens/s, recompute ([0-9.]+) tokens/s( \\(untimed\\))?").matcher(out);
        List<Double> cached = new ArrayList<>(), recomputed = new ArrayList<>();
        int untimed = 0;
        while (round.find()) {
            if (round.group(4) != null) {
                untimed++;
            } else {
                cached.add(Double.parseDouble(round.group(2)));
                recomputed.add(Double.parseDouble(round.group(3)));
            }
        }
        assertEquals(1, untimed, out);
        assertEquals(3, cached.size(), out);
        double kv = number(out, "kv-cache: ([0-9.]+) tokens/s \\(median"), full = number(out, "recompute: ([0-9.]+) tokens/s \\(median");
        assertEquals(cached.stream().sorted().toList().get(1), kv, 1e-9, out);
        assertEquals(recomputed.stream().sorted().toList().get(1), full, 1e-9, out);
        assertEquals(kv / full, number(out, "ratio: ([0-9.]+)"), 0.006 + kv / full * 1e-3, out);
        // printed to 0.1 and to 1 token/s from the same figure
        assertEquals(kv, number(out, "tokens/s: ([0-9]+)\\n"), 0.55, out);
    }

    @Test
    void benchGenerateRefusesSizesForACheckpoint() {
        assertBadInput(run("bench", "generate", "--model", tmp.toString(), "--n-layer", "2"), "--n-layer", "--model");
        assertBadInput(run("bench", "generate", "--preset", "bigram", "--int8"), "not a GPT", "--int8");
    }

    @Test
    void benchSgemmReportsEachShape() {
        String out = assertOk(run("bench", "sgemm", "--seconds", "0.05", "nt:64x48x32", "nn:40x24x16", "tn:24x40x64"));
        for (String shape : List.of("nt:64x48x32", "nn:40x24x16", "tn:24x40x64")) {
            assertTrue(number(out, Pattern.quote(shape) + " +GFLOP/s: ([0-9.]+)") > 0, out);
        }
    }

    @Test
    void aBadShapeIsNamed() {
        Result r = run("bench", "sgemm", "nt:64x48");
        assertBadInput(r, "nt:64x48", "MxNxK");
    }
}
