package dev.emerald.data.prep;

import java.util.SplittableRandom;

/**
 * Web-page-like text for generated corpora: sentences of pseudo-words drawn with Zipf's law (so it compresses
 * and tokenizes roughly as prose does), some numbers, punctuation, paragraphs, and now and then a non-ASCII
 * word (accents, CJK, an emoji). Deterministic for a seed.
 */
final class TextGen {
    private static final String[] SYLLABLES = {"the", "an", "ka", "to", "ri", "men", "sa", "lo", "ver", "tion", "al", "ing", "pre",
            "con", "de", "ex", "un", "ly", "ble", "ment", "ous", "ist", "or", "er", "in", "is", "at", "on", "it", "es"};
    private static final String[] RARE = {"café", "naïve", "Zürich", "日本語", "中文", "Ωmega", "🙂", "résumé", "Ärger", "東京"};
    private static final int WORDS = 20_000;

    private final SplittableRandom random;
    private final String[] words = new String[WORDS];
    /** Cumulative Zipf weights of the words, by rank. */
    private final double[] cumulative = new double[WORDS];

    TextGen(long seed) {
        random = new SplittableRandom(seed);
        SplittableRandom vocabulary = new SplittableRandom(42); // the same words for every seed
        double total = 0;
        for (int i = 0; i < WORDS; i++) {
            StringBuilder w = new StringBuilder();
            for (int s = 1 + vocabulary.nextInt(1 + Math.min(3, i / 50)); s > 0; s--) {
                w.append(SYLLABLES[vocabulary.nextInt(SYLLABLES.length)]);
            }
            words[i] = w.toString();
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }
    }

    /** About {@code bytes} bytes of text (whole sentences, so it may be a little longer). */
    String text(int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 200);
        while (sb.length() < bytes) {
            int n = 4 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                String w = word();
                sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                sb.append(i == n - 1 ? "" : random.nextInt(12) == 0 ? ", " : " ");
            }
            sb.append(random.nextInt(8) == 0 ? "?" : ".");
            sb.append(random.nextInt(6) == 0 ? "\n\n" : " ");
        }
        return sb.toString();
    }

    private String word() {
        int r = random.nextInt(1000);
        if (r == 0) {
            return RARE[random.nextInt(RARE.length)];
        }
        if (r < 20) {
            return Integer.toString(random.nextInt(2100));
        }
        double u = random.nextDouble() * cumulative[WORDS - 1];
        int lo = 0, hi = WORDS - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return words[lo];
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
