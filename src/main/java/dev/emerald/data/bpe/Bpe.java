package dev.emerald.data.bpe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.data.Tokenizer;
import dev.emerald.util.UserException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A byte-level BPE tokenizer, GPT-2's kind: text is cut into words by GPT-2's pre-tokenizer, each word's
 * UTF-8 bytes start as one token each (every byte has one), and merges join adjacent pairs in rank order.
 * Any string round-trips exactly. Special tokens (e.g. {@value #END_OF_TEXT}) are matched in the text only
 * when asked to; otherwise their text is ordinary text. Saved as a Hugging Face tokenizer.json.
 */
public final class Bpe implements Tokenizer {
    public static final String KIND = "bpe";
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** Each token's bytes, by id; a special token's are its text's. */
    private final byte[][] tokens;
    /** Merges by rank: the pair's ids and the id it becomes. */
    private final int[] left;
    private final int[] right;
    private final int[] result;
    /** Special tokens' texts and ids, in the order they were given. */
    private final Map<String, Integer> specials;
    private final int[] specialIds;
    private final SpecialMatcher specialMatcher;
    private final int[] byteIds = new int[256];
    private final PairMap ranks;

    Bpe(byte[][] tokens, int[] left, int[] right, int[] result, Map<String, Integer> specials) {
        this.tokens = tokens;
        this.left = left;
        this.right = right;
        this.result = result;
        this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specials));
        this.specialIds = specials.values().stream().mapToInt(Integer::intValue).toArray();
        this.specialMatcher = new SpecialMatcher(specials.keySet());
        Arrays.fill(byteIds, -1);
        for (int id = tokens.length - 1; id >= 0; id--) {
            if (tokens[id].length == 1 && !specials.containsValue(id)) {
                byteIds[tokens[id][0] & 0xFF] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) {
                throw new UserException(String.format("the vocabulary has no token for byte 0x%02X, so it cannot encode every text:"
                        + " it is not a byte-level BPE vocabulary", b));
            }
        }
        ranks = new PairMap(left.length);
        for (int r = left.length - 1; r >= 0; r--) { // a pair listed twice keeps its first (lowest) rank
            ranks.put(left[r], right[r], r);
        }
    }

    /**
     * A tokenizer from a vocabulary file's strings (GPT-2's byte alphabet, see {@link ByteLevel}): the ids of
     * regular tokens and of special tokens must together run from 0 without gaps or repeats.
     */
    static Bpe fromStrings(Map<String, Integer> vocab, List<String[]> merges, Map<String, Integer> specials) {
        byte[][] tokens = new byte[vocab.size() + specials.size()][];
        vocab.forEach((text, id) -> {
            byte[] bytes = ByteLevel.toBytes(text);
            if (bytes == null || bytes.length == 0) {
                throw new UserException("token '" + text + "' (id " + id + ") is not written in GPT-2's byte alphabet:"
                        + " the file is not a byte-level BPE vocabulary");
            }
            place(tokens, id, bytes, text);
        });
        specials.forEach((text, id) -> place(tokens, id, text.getBytes(StandardCharsets.UTF_8), text));
        int[] l = new int[merges.size()], r = new int[merges.size()], res = new int[merges.size()];
        for (int rank = 0; rank < l.length; rank++) {
            String[] m = merges.get(rank);
            Integer a = vocab.get(m[0]), b = vocab.get(m[1]), ab = vocab.get(m[0] + m[1]);
            if (a == null || b == null || ab == null) {
                throw new UserException("merge " + (rank + 1) + " ('" + m[0] + " " + m[1] + "') joins or makes a token that is not"
                        + " in the vocabulary: the merges do not belong to this vocabulary");
            }
            l[rank] = a;
            r[rank] = b;
            res[rank] = ab;
        }
        return new Bpe(tokens, l, r, res, specials);
    }

    private static void place(byte[][] tokens, int id, byte[] bytes, String text) {
        if (id < 0 || id >= tokens.length) {
            throw new UserException("token '" + text + "' has id " + id + ", but the " + tokens.length
                    + " tokens must have the ids 0 to " + (tokens.length - 1) + ": the vocabulary is damaged");
        }
        if (tokens[id] != null) {
            throw new UserException("id " + id + " is given to two tokens, one of them '" + text + "': the vocabulary is damaged");
        }
        tokens[id] = bytes;
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        return encode(text, allowSpecial, new WordCache(), new WordMerger(byteIds, ranks, result));
    }

    /** Keeps one word cache for all its texts, so a corpus's common words are merged once, not once per document. */
    @Override
    public Encoder encoder() {
        WordCache cache = new WordCache();
        WordMerger merger = new WordMerger(byteIds, ranks, result);
        return text -> encode(text, false, cache, merger);
    }

    private int[] encode(String text, boolean allowSpecial, WordCache cache, WordMerger merger) {
        Encoding encoding = new Encoding(text, cache, merger);
        if (allowSpecial) {
            specialMatcher.split(text, encoding);
        } else if (!text.isEmpty()) {
            encoding.ordinary(0, text.length());
        }
        return Arrays.copyOf(encoding.ids, encoding.count);
    }

    /** One call's state: the ids so far; the word cache and merge buffers may be shared with later calls on the same thread. */
    private final class Encoding implements SpecialMatcher.Segments {
        private final String text;
        private final WordCache cache;
        private final WordMerger merger;
        private int[] ids;
        private int count;

        Encoding(String text, WordCache cache, WordMerger merger) {
            this.text = text;
            this.cache = cache;
            this.merger = merger;
            ids = new int[text.length() / 3 + 16]; // English runs at about four characters a token
        }

        @Override
        public void ordinary(int from, int to) {
            for (int i = from; i < to; ) {
                int end = PreTokenizer.end(text, i, to);
                int hash = WordCache.hash(text, i, end);
                int[] word = cache.get(text, i, end, hash);
                if (word == null) {
                    String w = text.substring(i, end);
                    word = merger.merge(w.getBytes(StandardCharsets.UTF_8));
                    cache.put(w, hash, word);
                }
                add(word);
                i = end;
            }
        }

        @Override
        public void special(int index) {
            add(new int[] {specialIds[index]});
        }

        private void add(int[] word) {
            if (count + word.length > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(ids.length * 2, count + word.length));
            }
            System.arraycopy(word, 0, ids, count, word.length);
            count += word.length;
        }
    }

    /** Invalid UTF-8 (a sequence cut between tokens, or ids no model should give) decodes to U+FFFD. */
    @Override
    public String decode(int[] ids, int from, int to) {
        Objects.checkFromToIndex(from, to, ids.length);
        int length = 0;
        for (int i = from; i < to; i++) {
            length += tokens[Objects.checkIndex(ids[i], tokens.length)].length;
        }
        byte[] bytes = new byte[length];
        for (int i = from, at = 0; i < to; i++) {
            System.arraycopy(tokens[ids[i]], 0, bytes, at, tokens[ids[i]].length);
            at += tokens[ids[i]].length;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] bytes(int id) {
        return tokens[Objects.checkIndex(id, tokens.length)].clone();
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return HfTokenizerJson.write(this);
    }

    byte[] token(int id) {
        return tokens[id];
    }

    int merges() {
        return left.length;
    }

    int mergeLeft(int rank) {
        return left[rank];
    }

    int mergeRight(int rank) {
        return right[rank];
    }
}
