package dev.emerald.data.bpe;

import dev.emerald.util.UserException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;

/**
 * Learns a byte-level BPE vocabulary from texts the way Hugging Face's BpeTrainer does. The texts are cut into
 * words once (GPT-2's pre-tokenizer; special tokens' texts are left out) and each distinct word is counted. Then,
 * until the vocabulary is full, the most frequent adjacent pair of tokens in the words becomes a new token.
 * Pair counts are kept up to date incrementally: each pair knows the words it occurs in, so a merge rewrites
 * only those words, and a heap of (count, pair) whose stale entries are re-queued when they surface finds the
 * next pair without recounting.
 *
 * <p>Ids: the 256 bytes by value, then new tokens in the order they were made, then the special tokens
 * ({@value Bpe#END_OF_TEXT} first). Ties: of equally frequent pairs the one with the smaller left id wins, then
 * the smaller right id. Only integers decide, never hash order, so the same texts give the same vocabulary.
 * A pair whose bytes spell a token that exists already (made from another pair) is merged into that token,
 * as in Hugging Face's trainer, since a vocabulary holds each string once.
 */
public final class BpeTrainer {
    private record Candidate(long count, long pair) {
    }

    private static final Comparator<Candidate> ORDER = Comparator.comparingLong(Candidate::count).reversed()
            .thenComparingLong(Candidate::pair); // pair = left << 32 | right: smaller left, then smaller right

    private int[][] words;
    private long[] wordCounts;
    private final PairMap pairIndex = new PairMap(1 << 16);
    private long[] pairs = new long[1 << 12];
    private long[] pairCounts = new long[pairs.length];
    private int[][] pairWords = new int[pairs.length][];
    private int[] pairWordCounts = new int[pairs.length];
    private int[] touchedAt = new int[pairs.length];
    private int pairTotal;
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>(ORDER);

    private BpeTrainer() {
    }

    /**
     * @param vocabSize     tokens in all: 256 bytes, the merges, {@value Bpe#END_OF_TEXT} and {@code extraSpecials}
     * @param extraSpecials special tokens besides {@value Bpe#END_OF_TEXT}, e.g. an end-of-answer marker
     * @param progress      told the vocabulary's size without special tokens after each new token
     */
    public static Bpe train(List<String> texts, int vocabSize, List<String> extraSpecials, IntConsumer progress) {
        List<String> specials = new ArrayList<>(List.of(Bpe.END_OF_TEXT));
        for (String s : extraSpecials) {
            if (s.isEmpty() || specials.contains(s)) {
                throw new UserException("special token '" + s + "' is " + (s.isEmpty() ? "empty" : "given twice (" + Bpe.END_OF_TEXT
                        + " is always included)") + ": give each special token once, as non-empty text");
            }
            specials.add(s);
        }
        if (vocabSize < 256 + specials.size()) {
            throw new UserException("a vocabulary size of " + vocabSize + " leaves no room: it must hold the 256 bytes and "
                    + specials.size() + " special token(s); use at least " + (256 + specials.size()) + ", e.g. 4096");
        }
        return new BpeTrainer().run(countWords(texts, specials), vocabSize - specials.size(), specials, progress);
    }

    private static Map<String, int[]> countWords(List<String> texts, List<String> specials) {
        Map<String, int[]> counts = new HashMap<>();
        SpecialMatcher matcher = new SpecialMatcher(specials);
        for (String text : texts) {
            matcher.split(text, new SpecialMatcher.Segments() {
                @Override
                public void ordinary(int from, int to) {
                    for (int i = from, end; i < to; i = end) {
                        end = PreTokenizer.end(text, i, to);
                        counts.computeIfAbsent(text.substring(i, end), w -> new int[1])[0]++;
                    }
                }

                @Override
                public void special(int index) {
                    // a special token's text is not material for merges
                }
            });
        }
        return counts;
    }

    private Bpe run(Map<String, int[]> counts, int regularTokens, List<String> specials, IntConsumer progress) {
        words = new int[counts.size()][];
        wordCounts = new long[counts.size()];
        int w = 0;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            words[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                words[w][i] = bytes[i] & 0xFF; // a byte's id is its value
            }
            wordCounts[w] = e.getValue()[0];
            for (int i = 0; i + 1 < bytes.length; i++) {
                addWord(addCount(words[w][i], words[w][i + 1], wordCounts[w]), w);
            }
            w++;
        }
        for (int p = 0; p < pairTotal; p++) {
            queue.add(new Candidate(pairCounts[p], pairs[p]));
        }
        List<byte[]> tokens = new ArrayList<>();
        Map<String, Integer> idOfBytes = new HashMap<>(); // ISO-8859-1 strings: one char per byte
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
            idOfBytes.put(new String(tokens.get(b), StandardCharsets.ISO_8859_1), b);
        }
        List<int[]> merges = new ArrayList<>();
        while (tokens.size() < regularTokens && !queue.isEmpty()) {
            Candidate top = queue.poll();
            int p = pairIndex.get(PairMap.left(top.pair), PairMap.right(top.pair));
            if (pairCounts[p] != top.count) {
                if (pairCounts[p] > 0) {
                    queue.add(new Candidate(pairCounts[p], top.pair)); // fell since queued: try again at its true count
                }
                continue;
            }
            int left = PairMap.left(top.pair), right = PairMap.right(top.pair);
            byte[] bytes = concat(tokens.get(left), tokens.get(right));
            int id = idOfBytes.computeIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), k -> {
                tokens.add(bytes);
                return tokens.size() - 1;
            });
            merges.add(new int[] {left, right, id});
            mergeInWords(p, left, right, id, merges.size());
            progress.accept(tokens.size());
        }
        return build(tokens, merges, specials);
    }

    /** Rewrites the words that hold the pair, moving their pair counts from the old symbols to the new. */
    private void mergeInWords(int p, int left, int right, int id, int step) {
        int[] holders = pairWords[p];
        int holderCount = pairWordCounts[p];
        pairWords[p] = null; // no word holds the pair after this; one made again later is listed afresh
        pairWordCounts[p] = 0;
        List<Integer> touched = new ArrayList<>();
        for (int h = 0; h < holderCount; h++) {
            int w = holders[h];
            int[] old = words[w];
            int[] merged = new int[old.length];
            int n = 0;
            for (int i = 0; i < old.length; ) {
                if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
                    merged[n++] = id;
                    i += 2;
                } else {
                    merged[n++] = old[i++];
                }
            }
            if (n == old.length) {
                continue; // listed twice: merged already
            }
            long c = wordCounts[w];
            for (int i = 0; i + 1 < old.length; i++) {
                addCount(old[i], old[i + 1], -c);
            }
            for (int i = 0; i + 1 < n; i++) {
                int q = addCount(merged[i], merged[i + 1], c);
                if (merged[i] == id || merged[i + 1] == id) { // only pairs with the new token can have grown
                    addWord(q, w);
                    if (touchedAt[q] != step) {
                        touchedAt[q] = step;
                        touched.add(q);
                    }
                }
            }
            words[w] = Arrays.copyOf(merged, n);
        }
        for (int q : touched) {
            if (pairCounts[q] > 0) {
                queue.add(new Candidate(pairCounts[q], pairs[q]));
            }
        }
    }

    /** Adds delta to a pair's count, creating the pair if new; returns its index. */
    private int addCount(int left, int right, long delta) {
        int p = pairIndex.get(left, right);
        if (p < 0) {
            p = pairTotal++;
            if (p == pairs.length) {
                int size = pairs.length * 2;
                pairs = Arrays.copyOf(pairs, size);
                pairCounts = Arrays.copyOf(pairCounts, size);
                pairWords = Arrays.copyOf(pairWords, size);
                pairWordCounts = Arrays.copyOf(pairWordCounts, size);
                touchedAt = Arrays.copyOf(touchedAt, size);
            }
            pairs[p] = PairMap.key(left, right);
            pairIndex.put(left, right, p);
        }
        pairCounts[p] += delta;
        return p;
    }

    /** Notes that word w holds pair p (once, if it was the last word noted). */
    private void addWord(int p, int w) {
        int n = pairWordCounts[p];
        if (pairWords[p] == null) {
            pairWords[p] = new int[4];
        } else if (pairWords[p][n - 1] == w) {
            return;
        } else if (n == pairWords[p].length) {
            pairWords[p] = Arrays.copyOf(pairWords[p], n * 2);
        }
        pairWords[p][n] = w;
        pairWordCounts[p] = n + 1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] ab = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, ab, a.length, b.length);
        return ab;
    }

    private static Bpe build(List<byte[]> regular, List<int[]> merges, List<String> specials) {
        List<byte[]> tokens = new ArrayList<>(regular);
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        for (String s : specials) {
            specialIds.put(s, tokens.size());
            tokens.add(s.getBytes(StandardCharsets.UTF_8));
        }
        int[] left = new int[merges.size()], right = new int[merges.size()], result = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            left[r] = merges.get(r)[0];
            right[r] = merges.get(r)[1];
            result[r] = merges.get(r)[2];
        }
        return new Bpe(tokens.toArray(byte[][]::new), left, right, result, specialIds);
    }
}
