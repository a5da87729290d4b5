package dev.emerald.generate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StopStringsTest {

    /** The naive reference: grow the text a character at a time; the first stop string it ends with (the longest) cuts it. */
    private static String cut(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            String seen = text.substring(0, end);
            int at = -1;
            for (String s : stops) {
                if (seen.endsWith(s) && (at < 0 || end - s.length() < at)) {
                    at = end - s.length();
                }
            }
            if (at >= 0) {
                return text.substring(0, at);
            }
        }
        return text;
    }

    @Test
    void streamedPiecesEqualTheTextCutBeforeTheFirstStopString() {
        Random random = new Random(5);
        String alphabet = "ab\nc";
        for (int trial = 0; trial < 3000; trial++) {
            List<String> stops = List.of(randomText(random, alphabet, 1 + random.nextInt(4)), randomText(random, alphabet, 1 + random.nextInt(3)));
            String text = randomText(random, alphabet, random.nextInt(40));
            StopStrings s = new StopStrings(stops);
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < text.length() && !s.stopped()) {
                int n = Math.min(text.length() - i, random.nextInt(4));
                String piece = s.accept(text.substring(i, i + n));
                out.append(piece);
                // nothing emitted so far may go past what the final answer keeps
                assertEquals(cut(text, stops).substring(0, Math.min(out.length(), cut(text, stops).length())), out.toString(),
                        "text " + text + " stops " + stops);
                i += n;
            }
            if (!s.stopped()) {
                out.append(s.flush());
            }
            assertEquals(cut(text, stops), out.toString(), "text " + text.replace("\n", "\\n") + " stops " + stops);
            assertEquals(cut(text, stops).length() < text.length(), s.stopped());
        }
    }

    private static String randomText(Random random, String alphabet, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
