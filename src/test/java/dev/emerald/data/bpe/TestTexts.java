package dev.emerald.data.bpe;

import dev.emerald.data.Corpora;
import dev.emerald.data.TextFile;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Assumptions;

/** Texts for tokenizer tests: the project's corpora (fetched into data/corpora once), and random Unicode. */
final class TestTexts {
    private TestTexts() {
    }

    /** A corpus's text; the test is skipped, saying why, where it cannot be fetched (no Debian archive). */
    static String corpus(Corpora.Corpus corpus) {
        try {
            return TextFile.read(Corpora.fetch(corpus.name(), Corpora.DEFAULT_DIR));
        } catch (UserException e) {
            Assumptions.abort("corpus " + corpus.name() + " could not be fetched: " + e.getMessage());
            throw e;
        }
    }

    /** Pieces that exercise every branch of GPT-2's pre-tokenizer, to be strung together at random. */
    private static final String[] PIECES = {
        "a", "Z", "word", " word", "  ", " ", "\n", "\r\n", "\t", "\u00A0", "\u3000", "\u2028", "\u0085", "\u000B",
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'x", "''", "!'s", "0", "42", " 7", "½", "Ⅻ", "٣",
        "é", "e\u0301", "ñ", "Ω", "日本語", "中文", "한국어", "👍", "👨‍👩‍👧", "🏳️‍🌈", "\u200D", "\uFE0F", "𝐀𝐁", "𝟙",
        ".", ",", "!?", "--", "<|", "|>", "<|endoftext|>", "\u001F", "\u00AD", "$", "£", "™", "ß", "İ", "ǅ", "ʰ",
    };

    /** A random string of the pieces above. */
    static String mixed(Rng rng, int pieces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(PIECES[rng.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    /**
     * A random string of code points from every plane in use, surrogates excluded (they are not characters), and
     * U+FFFD, so that a replacement character in decoded text always means a decoding error.
     */
    static String randomCodePoints(Rng rng, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp;
            do {
                int plane = rng.nextInt(4);
                cp = switch (plane) {
                    case 0 -> rng.nextInt(0x80);                  // ASCII, controls included
                    case 1 -> rng.nextInt(0x800);                 // two UTF-8 bytes
                    case 2 -> rng.nextInt(0x10000);               // three
                    default -> 0x10000 + rng.nextInt(0x100000);   // four: planes 1 to 16
                };
            } while ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFD);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /**
     * Made-up prose: words from a random dictionary (some accented, some CJK), drawn with a skewed, Zipf-like
     * frequency, with punctuation, contractions and line breaks, so that BPE has frequent pairs to find.
     */
    static String prose(Rng rng, int words) {
        String letters = "etaoinshrdlucmfwypvbgkqjxzéßü日本";
        String[] dictionary = new String[400];
        for (int i = 0; i < dictionary.length; i++) {
            StringBuilder w = new StringBuilder();
            for (int n = 1 + rng.nextInt(9); n > 0; n--) {
                w.append(letters.charAt((int) (letters.length() * Math.pow(rng.nextDouble(), 2))));
            }
            dictionary[i] = rng.nextInt(10) == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w.toString();
        }
        String[] separators = {" ", " ", " ", " ", " ", ", ", ". ", "'s ", "\n", ".\n\n", "  ", " 42 "};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(dictionary[(int) (dictionary.length * Math.pow(rng.nextDouble(), 3))]);
            sb.append(separators[rng.nextInt(separators.length)]);
        }
        return sb.toString();
    }
}
