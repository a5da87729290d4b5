package dev.emerald.data.bpe;

import dev.emerald.data.Tokenizer;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import static dev.emerald.data.bpe.Gpt2EncodingTest.GPT2;
import static dev.emerald.data.bpe.Gpt2EncodingTest.R50K;
import static dev.emerald.data.bpe.Gpt2EncodingTest.assertSameIds;

/** An encoder keeps its word cache from text to text (prepare's documents); every text still gets r50k_base's ids. */
class BpeEncoderTest {
    @Test
    void oneEncoderForManyTextsGivesEachTextsOwnIds() {
        Tokenizer.Encoder encoder = GPT2.encoder();
        Rng rng = Rng.of(8);
        for (int i = 0; i < 400; i++) {
            String text = switch (i % 4) {
                case 0 -> TestTexts.prose(rng, 1 + rng.nextInt(300));
                case 1 -> TestTexts.mixed(rng, 1 + rng.nextInt(20));
                case 2 -> TestTexts.randomCodePoints(rng, rng.nextInt(50));
                default -> "Quoted <|endoftext|> stays text: " + TestTexts.prose(rng, 5);
            };
            assertSameIds(R50K.encodeOrdinary(text).toArray(), encoder.encode(text), "text " + i);
        }
    }
}
