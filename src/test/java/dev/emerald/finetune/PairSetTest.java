package dev.emerald.finetune;

import dev.emerald.data.Batches;
import dev.emerald.data.CharTokenizer;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pairs become rows of prompt, completion and end token, with targets on the completion only, split by a hash of each pair. */
class PairSetTest {
    private static final CharTokenizer TOK = CharTokenizer.fit("\u0003abcdefghijklmnopqrstuvwxyz:=+ ?0123456789\n");
    private static final int EOT = TOK.endOfText().orElseThrow();

    private static List<Pair> additions() {
        List<Pair> pairs = new ArrayList<>();
        for (int a = 0; a < 10; a++) {
            for (int b = 0; b < 10; b++) {
                pairs.add(new Pair("what is " + a + "+" + b + "?\n", "=" + (a + b), pairs.size() + 1));
            }
        }
        return pairs;
    }

    /** Whether SHA-256 of prompt, NUL, completion, as a fraction of 2^256, is below f: the split, computed in exact arithmetic. */
    private static boolean heldOut(Pair p, double f) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((p.prompt() + "\0" + p.completion()).getBytes(StandardCharsets.UTF_8));
        BigInteger top53 = new BigInteger(1, Arrays.copyOf(digest, 8)).shiftRight(11);
        return top53.doubleValue() / Math.pow(2, 53) < f;
    }

    @Test
    void rowsHoldPromptCompletionAndEndTokenWithTargetsOnTheCompletionOnly() throws Exception {
        List<Pair> pairs = additions();
        PairSet set = new PairSet("sums.jsonl", pairs, TOK, EOT, 64, 0.2);
        // the expected row of each training pair, by its prompt: inputs are all tokens but the last, padded with the end
        // token; the target of position t is token t + 1 when that token is the completion's or the end token, else -1
        Map<String, int[][]> expected = new HashMap<>();
        int longest = 0;
        for (Pair p : pairs) {
            int[] seq = TOK.encode(p.prompt() + p.completion() + "\u0003");
            longest = Math.max(longest, seq.length - 1);
        }
        assertEquals(longest, set.rowLength());
        int T = set.rowLength();
        for (Pair p : pairs) {
            int[] seq = TOK.encode(p.prompt() + p.completion() + "\u0003");
            int promptLength = p.prompt().length();
            int[] x = new int[T], y = new int[T];
            Arrays.fill(x, EOT);
            Arrays.fill(y, -1);
            for (int t = 0; t + 1 < seq.length; t++) {
                x[t] = seq[t];
                if (t + 1 >= promptLength) {
                    y[t] = seq[t + 1];
                }
            }
            if (!heldOut(p, 0.2)) {
                expected.put(p.prompt(), new int[][] {x, y});
            }
        }
        assertEquals(expected.size(), set.trainSize());
        Batches batches = set.batches(false, 5, Rng.of(3));
        int[] x = new int[5 * T], y = new int[5 * T];
        int seen = 0;
        for (int i = 0; i < 200; i++) {
            batches.next(x, y, i % 5 + 1);
            for (int b = 0; b < i % 5 + 1; b++) {
                int[] rowX = Arrays.copyOfRange(x, b * T, (b + 1) * T), rowY = Arrays.copyOfRange(y, b * T, (b + 1) * T);
                String prompt = TOK.decode(rowX, 0, rowX.length);
                prompt = prompt.substring(0, prompt.indexOf('\n') + 1);
                int[][] want = expected.get(prompt);
                assertTrue(want != null, "a training pair's row: " + prompt);
                assertArrayEquals(want[0], rowX, prompt);
                assertArrayEquals(want[1], rowY, prompt);
                seen++;
            }
        }
        assertEquals(600, seen);
    }

    @Test
    void theSplitIsSha256OfEachPairAgainstTheFraction() throws Exception {
        List<Pair> pairs = additions();
        pairs.add(pairs.get(0)); // a duplicate goes where its twin goes
        for (double f : new double[] {0.1, 0.5, 0.9}) {
            PairSet set = new PairSet("sums.jsonl", pairs, TOK, EOT, 64, f);
            List<Pair> held = new ArrayList<>();
            for (Pair p : pairs) {
                if (heldOut(p, f)) {
                    held.add(p);
                }
            }
            assertEquals(held, set.validationPairs());
            assertEquals(pairs.size() - held.size(), set.trainSize());
            assertTrue(held.size() > 0 && held.size() < pairs.size(), "both splits have pairs at " + f);
        }
    }

    @Test
    void longPairsLoseThePromptsStartThenTheCompletionsEnd() {
        // block_size 8: a row holds 9 tokens
        Pair longPrompt = new Pair("abcdefghij", "xyz", 1), longAnswer = new Pair("ab", "klmnopqrstuv", 2), fits = new Pair("ab", "cdefgh", 3);
        List<Pair> pairs = new ArrayList<>(List.of(longPrompt, longAnswer, fits));
        for (int i = 0; i < 40; i++) {
            pairs.add(new Pair("q" + (char) ('a' + i % 26) + i % 10, "r", 10 + i));
        }
        PairSet set = new PairSet("long.jsonl", pairs, TOK, EOT, 8, 0.3);
        assertEquals(2, set.truncated());
        assertEquals(8, set.rowLength());
        // every row of each pair, in whichever split it fell
        Map<String, int[]> rows = new HashMap<>();
        for (boolean validation : new boolean[] {false, true}) {
            Batches batches = set.batches(validation, 1, Rng.of(1));
            int[] x = new int[8], y = new int[8];
            for (int i = 0; i < 2000; i++) {
                batches.next(x, y, 1);
                rows.put(TOK.decode(x, 0, 8), y.clone());
            }
        }
        // the last 5 prompt tokens, then xyz and the end token: targets from the last prompt token on
        int[] xyz = TOK.encode("xyz");
        assertArrayEquals(new int[] {-1, -1, -1, -1, xyz[0], xyz[1], xyz[2], EOT}, rows.get("fghijxyz"));
        // one prompt token, then the completion's first 8 tokens: the end token is lost
        assertArrayEquals(TOK.encode("klmnopqr"), rows.get("bklmnopq"));
        // 9 tokens exactly: whole
        int[] answer = TOK.encode("cdefgh");
        assertArrayEquals(new int[] {-1, answer[0], answer[1], answer[2], answer[3], answer[4], answer[5], EOT}, rows.get("abcdefgh"));
    }

    @Test
    void aSplitWithoutPairsIsRefused() {
        List<Pair> one = List.of(new Pair("a", "b", 1));
        for (double f : new double[] {1e-9, 1 - 1e-9}) {
            UserException e = assertThrows(UserException.class, () -> new PairSet("one.jsonl", one, TOK, EOT, 8, f));
            assertTrue(e.getMessage().contains("all 1 pairs of one.jsonl fell into the " + (f < 0.5 ? "training" : "validation")),
                    e.getMessage());
        }
    }
}
