package dev.emerald.data.bpe;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.emerald.data.Corpora;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The bundled GPT-2 tokenizer gives GPT-2's ids: those of JTokkit's r50k_base, an independent implementation. */
class Gpt2EncodingTest {
    static final Bpe GPT2 = OpenAiFiles.gpt2();
    static final Encoding R50K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    /** Asserts equal ids; on a difference, shows the first differing tokens and the text they stand for. */
    static void assertSameIds(int[] expected, int[] actual, String what) {
        int n = Math.min(expected.length, actual.length), i = 0;
        while (i < n && expected[i] == actual[i]) {
            i++;
        }
        if (i < n || expected.length != actual.length) {
            int from = Math.max(0, i - 3);
            int[] want = Arrays.copyOfRange(expected, from, Math.min(expected.length, i + 3));
            int[] got = Arrays.copyOfRange(actual, from, Math.min(actual.length, i + 3));
            fail("ids differ at token " + i + " (of " + expected.length + ") of " + what + ": expected " + Arrays.toString(want)
                    + " '" + GPT2.decode(want, 0, want.length) + "', got " + Arrays.toString(got) + " '" + GPT2.decode(got, 0, got.length) + "'");
        }
    }

    private static void assertLikeR50k(String text) {
        assertSameIds(R50K.encodeOrdinary(text).toArray(), GPT2.encode(text), "'" + text + "'");
    }

    @Test
    void vocabularyHasGpt2sSize() {
        assertEquals(50257, GPT2.vocabSize());
        assertEquals(Map.of(Bpe.END_OF_TEXT, 50256), GPT2.specialTokens());
    }

    @Test
    void edgeCasesGiveGpt2sIds() {
        List<String> cases = List.of(
                "", " ", "  ", "     ", "a  b", "a   b  ", "Hello world", " Hello", "hello\n\nworld", "line\r\nline\r\n\r\n",
                "\ttab\t\tstop", " \t \n", "end   ", "x \u00A0 y", "\u00A0\u00A0word", "12345 67.89 1,000,000 3.14159",
                "don't won't I'm you're we've they'll he'd it's", "IT'S DON'T SHE'LL", "'s 's '' ''s 'x", "quote's'",
                "Café naïve façade résumé Ærø", "e\u0301te\u0301", "日本語のテキスト、中文文本。", "한국어 텍스트",
                "👍 👨‍👩‍👧‍👦 🏳️‍🌈 family: 👩🏽‍💻", "math 𝐀𝐁𝐂 𝟙𝟚", "½ Ⅻ ٣٤", "<|endoftext|>", "a<|endoftext|>b",
                " <|endoftext|> ", "soft\u00ADhyphen", "\u2028\u2029\u0085\u000B\u000C", "\u001C\u001F unit", "İstanbul ǅ ʰ",
                "!!!???...", " !!", "$100 £5 ™", "x".repeat(3000), " ".repeat(100) + "x", "\n".repeat(50), "ab".repeat(500));
        for (String text : cases) {
            assertLikeR50k(text);
        }
    }

    @Test
    void endOfTextIsOneTokenOnlyWhenSpecialTokensAreAllowed() {
        String text = "Chapter 1<|endoftext|>Chapter 2";
        int[] ordinary = GPT2.encode(text);
        assertSameIds(R50K.encodeOrdinary(text).toArray(), ordinary, text);
        assertEquals(-1, Arrays.stream(ordinary).filter(id -> id == 50256).findAny().orElse(-1), "no special token in ordinary text");
        int[] before = R50K.encodeOrdinary("Chapter 1").toArray(), after = R50K.encodeOrdinary("Chapter 2").toArray();
        int[] expected = new int[before.length + 1 + after.length];
        System.arraycopy(before, 0, expected, 0, before.length);
        expected[before.length] = 50256;
        System.arraycopy(after, 0, expected, before.length + 1, after.length);
        assertArrayEquals(expected, GPT2.encode(text, true));
        assertArrayEquals(new int[] {50256, 50256}, GPT2.encode("<|endoftext|><|endoftext|>", true));
        assertEquals(text, GPT2.decode(GPT2.encode(text, true), 0, expected.length));
    }

    @Test
    void randomMixturesGiveGpt2sIds() {
        Rng rng = Rng.of(7);
        for (int i = 0; i < 3000; i++) {
            assertLikeR50k(TestTexts.mixed(rng, 1 + rng.nextInt(12)));
        }
    }

    @Test
    void randomCodePointsGiveGpt2sIds() {
        Rng rng = Rng.of(11);
        for (int i = 0; i < 500; i++) {
            assertLikeR50k(TestTexts.randomCodePoints(rng, 1 + rng.nextInt(40)));
        }
    }

    /** Each thread keeps its own word cache: threads encoding at once get what one thread alone gets. */
    @Test
    void concurrentCallersGetTheSameIds() throws Exception {
        Rng rng = Rng.of(13);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add(TestTexts.prose(rng, 50) + TestTexts.mixed(rng, 10));
        }
        List<int[]> expected = texts.stream().map(t -> R50K.encodeOrdinary(t).toArray()).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int offset = thread * 50;
                runs.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        for (int i = 0; i < texts.size(); i++) {
                            int k = (i + offset) % texts.size();
                            assertArrayEquals(expected.get(k), GPT2.encode(texts.get(k)));
                        }
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
    }

    /** Tom Sawyer and the King James Bible: 4.5 MB of prose. */
    @Test
    void corporaGiveGpt2sIds() {
        for (Corpora.Corpus corpus : List.of(Corpora.TOM_SAWYER, Corpora.BIBLE)) {
            String text = TestTexts.corpus(corpus);
            assertSameIds(R50K.encodeOrdinary(text).toArray(), GPT2.encode(text), corpus.name());
        }
    }
}
