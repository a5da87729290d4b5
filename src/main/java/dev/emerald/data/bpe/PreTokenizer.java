package dev.emerald.data.bpe;

/**
 * GPT-2's pre-tokenization, the regular expression
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} (\s being Unicode's
 * White_Space), written out as a scanner: a regex engine with that look-ahead is several times slower, and
 * this runs over every character encoded or trained on. Text is split into words; BPE never merges across them.
 */
final class PreTokenizer {
    private static final byte OTHER = 0, LETTER = 1, NUMBER = 2, SPACE = 3;
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = Character.isLetter(c) ? LETTER : Character.isDigit(c) ? NUMBER
                    : c == ' ' || (c >= '\t' && c <= '\r') ? SPACE : OTHER;
        }
    }

    private PreTokenizer() {
    }

    /** The end of the word that starts at {@code from}, which must be below {@code to}. */
    static int end(String s, int from, int to) {
        char c = s.charAt(from);
        if (c == '\'') {
            int n = contraction(s, from + 1, to);
            if (n > 0) {
                return from + 1 + n;
            }
        }
        // " ?X+": a single leading space joins a run of letters, digits or other symbols
        int at = c == ' ' && from + 1 < to ? from + 1 : from;
        int cls = classAt(s, at, to);
        if (cls != SPACE) {
            return run(s, at, to, cls);
        }
        int ws = from;
        while (ws < to && classAt(s, ws, to) == SPACE) {
            ws++; // every White_Space character is a single UTF-16 unit
        }
        // "\s+(?!\S)" leaves the last space of a run before a word to that word; "\s+" takes a lone one
        return ws == to || ws - from == 1 ? ws : ws - 1;
    }

    /** The length of 's 't 're 've 'm 'll 'd after an apostrophe (lower case only, as GPT-2's), or 0. */
    private static int contraction(String s, int i, int to) {
        if (i >= to) {
            return 0;
        }
        char a = s.charAt(i);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 1;
        }
        if (i + 1 < to) {
            char b = s.charAt(i + 1);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return 2;
            }
        }
        return 0;
    }

    private static int run(String s, int i, int to, int cls) {
        while (i < to) {
            char c = s.charAt(i);
            if (c < 128) {
                if (ASCII[c] != cls) {
                    return i;
                }
                i++;
            } else {
                int cp = codePointAt(s, i, to);
                if (classOf(cp) != cls) {
                    return i;
                }
                i += Character.charCount(cp);
            }
        }
        return i;
    }

    private static int classAt(String s, int i, int to) {
        char c = s.charAt(i);
        return c < 128 ? ASCII[c] : classOf(codePointAt(s, i, to));
    }

    /** A surrogate pair split by {@code to} (a special token's start) counts as a lone surrogate. */
    private static int codePointAt(String s, int i, int to) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
            return Character.toCodePoint(c, s.charAt(i + 1));
        }
        return c;
    }

    private static int classOf(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            // White_Space is the separators plus U+0085 (the ASCII ones are in the table)
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SPACE;
            default -> cp == 0x85 ? SPACE : OTHER;
        };
    }
}
