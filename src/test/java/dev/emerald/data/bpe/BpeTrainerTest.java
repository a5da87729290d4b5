package dev.emerald.data.bpe;

import dev.emerald.data.Corpora;
import dev.emerald.data.Tokenizer;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTrainerTest {
    private static final String TEXT = TestTexts.prose(Rng.of(3), 20_000);

    private static Bpe train(List<String> texts, int vocabSize, List<String> specials) {
        return BpeTrainer.train(texts, vocabSize, specials, tokens -> { });
    }

    /** A vocabulary as its merged pairs in rank order, then every token's bytes by id (one char per byte). */
    private static List<List<String>> describe(Bpe bpe) {
        List<String> pairs = new ArrayList<>(), tokens = new ArrayList<>();
        for (int r = 0; r < bpe.merges(); r++) {
            pairs.add(bpe.mergeLeft(r) + " " + bpe.mergeRight(r));
        }
        for (int id = 0; id < bpe.vocabSize(); id++) {
            tokens.add(new String(bpe.bytes(id), StandardCharsets.ISO_8859_1));
        }
        return List.of(pairs, tokens);
    }

    /**
     * The textbook algorithm, slow and plain: words found by GPT-2's regex (java.util.regex), every pair
     * recounted before each merge, the same tie rule and id rules. The incremental trainer must agree exactly.
     */
    private static List<List<String>> naiveTraining(String text, int regularTokens) {
        Pattern gpt2 = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                Pattern.UNICODE_CHARACTER_CLASS);
        Map<String, Integer> counts = new HashMap<>();
        for (Matcher m = gpt2.matcher(text); m.find(); ) {
            counts.merge(m.group(), 1, Integer::sum);
        }
        List<int[]> words = new ArrayList<>();
        List<Integer> wordCounts = new ArrayList<>();
        counts.forEach((word, count) -> {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                ids[i] = bytes[i] & 0xFF;
            }
            words.add(ids);
            wordCounts.add(count);
        });
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf((char) b)); // one char per byte
        }
        List<String> merges = new ArrayList<>();
        while (tokens.size() < regularTokens) {
            Map<List<Integer>, Long> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                for (int i = 0; i + 1 < words.get(w).length; i++) {
                    pairCounts.merge(List.of(words.get(w)[i], words.get(w)[i + 1]), (long) wordCounts.get(w), Long::sum);
                }
            }
            List<Integer> best = null;
            for (Map.Entry<List<Integer>, Long> e : pairCounts.entrySet()) {
                List<Integer> p = e.getKey();
                long c = e.getValue();
                if (c > 0 && (best == null || c > pairCounts.get(best) || (c == pairCounts.get(best)
                        && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1)))))) {
                    best = p;
                }
            }
            if (best == null) {
                break;
            }
            String joined = tokens.get(best.get(0)) + tokens.get(best.get(1));
            int id = tokens.indexOf(joined);
            if (id < 0) {
                tokens.add(joined);
                id = tokens.size() - 1;
            }
            merges.add(best.get(0) + " " + best.get(1));
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                List<Integer> merged = new ArrayList<>();
                for (int i = 0; i < s.length; ) {
                    if (i + 1 < s.length && s[i] == best.get(0) && s[i + 1] == best.get(1)) {
                        merged.add(id);
                        i += 2;
                    } else {
                        merged.add(s[i++]);
                    }
                }
                words.set(w, merged.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        tokens.add(Bpe.END_OF_TEXT);
        return List.of(merges, tokens);
    }

    @Test
    void mergesEqualTheTextbookAlgorithms() {
        String text = TEXT.substring(0, 30_000);
        List<List<String>> expected = naiveTraining(text, 699), actual = describe(train(List.of(text), 700, List.of()));
        assertEquals(699 - 256, expected.get(0).size(), "the reference made all its merges");
        for (int part = 0; part < 2; part++) {
            for (int i = 0; i < Math.min(expected.get(part).size(), actual.get(part).size()); i++) {
                assertEquals(expected.get(part).get(i), actual.get(part).get(i), (part == 0 ? "merge " : "token ") + i);
            }
            assertEquals(expected.get(part).size(), actual.get(part).size());
        }
    }

    @Test
    void idsAreBytesThenMergesThenSpecials() {
        Bpe bpe = train(List.of(TEXT), 600, List.of("<|end_of_answer|>"));
        assertEquals(600, bpe.vocabSize());
        assertEquals(Map.of(Bpe.END_OF_TEXT, 598, "<|end_of_answer|>", 599), bpe.specialTokens());
        for (int b = 0; b < 256; b++) {
            assertArrayEquals(new byte[] {(byte) b}, bpe.bytes(b));
        }
        assertArrayEquals(new int[] {599, 598}, bpe.encode("<|end_of_answer|><|endoftext|>", true));
        assertTrue(bpe.encode("<|end_of_answer|>").length > 1, "without special handling the text is ordinary");
    }

    @Test
    void specialTokensTextIsNotTrainedOn() {
        Bpe joined = train(List.of("x<|endoftext|>y " + TEXT.substring(0, 5000)), 400, List.of());
        Bpe apart = train(List.of("x", "y " + TEXT.substring(0, 5000)), 400, List.of());
        assertEquals(describe(apart), describe(joined));
    }

    @Test
    void theSameTextsGiveTheSameFileWhateverTheirOrder(@TempDir Path dir) throws Exception {
        List<String> parts = List.of(TEXT.substring(0, 60_000), TEXT.substring(60_000));
        Path a = dir.resolve("a.json"), b = dir.resolve("b.json");
        train(parts, 1000, List.of("<|sep|>")).save(a);
        train(parts.reversed(), 1000, List.of("<|sep|>")).save(b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        Tokenizer loaded = Tokenizer.load(a);
        assertArrayEquals(train(parts, 1000, List.of("<|sep|>")).encode(TEXT, true), loaded.encode(TEXT, true));
    }

    @Test
    void aTrainedVocabularyRoundTripsAnyText() {
        Bpe bpe = train(List.of(TEXT), 500, List.of());
        Rng rng = Rng.of(5);
        for (int i = 0; i < 200; i++) {
            String s = TestTexts.randomCodePoints(rng, 1 + rng.nextInt(30)) + TestTexts.mixed(rng, 5);
            int[] ids = bpe.encode(s);
            assertEquals(s, bpe.decode(ids, 0, ids.length));
        }
    }

    /** 1024 tokens learned from Tom Sawyer encode it at more than 2.5 bytes a token (2.64 measured). */
    @Test
    void aTrainedVocabularyCompressesItsText() {
        String text = TestTexts.corpus(Corpora.TOM_SAWYER);
        Bpe bpe = train(List.of(text), 1024, List.of());
        int bytes = text.getBytes(StandardCharsets.UTF_8).length, tokens = bpe.encode(text).length;
        double factor = (double) bytes / tokens;
        assertTrue(factor > 2.5, "compression " + factor + " bytes per token");
        assertEquals(text, bpe.decode(bpe.encode(text), 0, tokens));
    }

    @Test
    void tooSmallAVocabularyOrRepeatedSpecialTokensAreRefused() {
        UserException small = assertThrows(UserException.class, () -> train(List.of(TEXT), 257, List.of("<|a|>")));
        assertTrue(small.getMessage().contains("at least 258"), small.getMessage());
        UserException twice = assertThrows(UserException.class, () -> train(List.of(TEXT), 500, List.of(Bpe.END_OF_TEXT)));
        assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
    }

    @Test
    void aShortTextStopsWhenNoPairIsLeft() {
        Bpe bpe = train(List.of("abab"), 1000, List.of());
        assertEquals(256 + 2 + 1, bpe.vocabSize(), "ab, then abab, then <|endoftext|>");
        assertArrayEquals(new int[] {257}, bpe.encode("abab"));
    }
}
