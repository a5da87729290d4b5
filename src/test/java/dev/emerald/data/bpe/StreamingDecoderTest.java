package dev.emerald.data.bpe;

import dev.emerald.data.CharTokenizer;
import dev.emerald.data.StreamingDecoder;
import dev.emerald.data.Tokenizer;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte-level round trips, and token-by-token decoding equal to decoding the whole. */
class StreamingDecoderTest {
    private static final Tokenizer GPT2 = Gpt2EncodingTest.GPT2;

    /** What a streaming decoder prints for ids, one piece per token and the rest at the end. */
    private static List<String> stream(Tokenizer tokenizer, int[] ids) {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(decoder.next(id));
        }
        pieces.add(decoder.finish());
        return pieces;
    }

    @Test
    void everyStringRoundTripsAndStreamsCleanly() {
        Rng rng = Rng.of(42);
        for (int i = 0; i < 2000; i++) {
            String text = TestTexts.randomCodePoints(rng, 1 + rng.nextInt(50));
            int[] ids = GPT2.encode(text);
            assertEquals(text, GPT2.decode(ids, 0, ids.length));
            List<String> pieces = stream(GPT2, ids);
            assertEquals(text, String.join("", pieces));
            for (String piece : pieces) { // no character is ever printed in halves
                assertFalse(piece.contains("\uFFFD") || (!piece.isEmpty() && Character.isLowSurrogate(piece.charAt(0))), piece);
            }
        }
    }

    @Test
    void anEmojiSplitAcrossTokensIsHeldBackUntilComplete() {
        int n = GPT2.encode("🦙").length;
        assertTrue(n >= 2, "the llama's four bytes take several byte-level tokens");
        List<String> pieces = stream(GPT2, GPT2.encode("🦙 llama"));
        assertEquals(Collections.nCopies(n - 1, ""), pieces.subList(0, n - 1), "nothing before its last byte");
        assertEquals("🦙", pieces.get(n - 1));
        assertEquals(" llama", String.join("", pieces.subList(n, pieces.size())));
    }

    @Test
    void invalidUtf8DecodesToReplacementCharactersAsWholeDecodingDoes() {
        Rng rng = Rng.of(8);
        for (int i = 0; i < 2000; i++) {
            int[] ids = new int[1 + rng.nextInt(12)];
            for (int k = 0; k < ids.length; k++) { // GPT-2's 256 byte tokens are ids 0-255: lead and continuation bytes at random
                ids[k] = rng.nextInt(4) == 0 ? GPT2.encode("a" + (char) ('a' + rng.nextInt(26)))[0] : rng.nextInt(256);
            }
            assertEquals(GPT2.decode(ids, 0, ids.length), String.join("", stream(GPT2, ids)));
        }
    }

    @Test
    void characterTokenizerStreamsItsCharacters() {
        String text = "naïve 😀 text";
        CharTokenizer chars = CharTokenizer.fit(text);
        assertEquals(text, String.join("", stream(chars, chars.encode(text))));
        assertEquals("😀", new String(chars.bytes(chars.encode("😀")[0]), StandardCharsets.UTF_8));
    }
}
