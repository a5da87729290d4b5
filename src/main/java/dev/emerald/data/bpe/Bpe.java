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
 * Any text round-trips exactly (a lone UTF-16 surrogate is not text: UTF-8 has no bytes for it, and it comes
 * back as '?'). Special tokens (e.g. {@value #END_OF_TEXT}) are matched in the text only when asked to;
 * otherwise their text is ordinary text. Saved as a Hugging Face tokenizer.json.
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
    private final ThreadLocal<Encoder> encoders = ThreadLocal.withInitial(Encoder::new);

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
        return encoders.get().encode(text, allowSpecial);
    }

    /**
     * A thread's word cache and merge buffers, kept from call to call: a prompt's or a chat turn's words are
     * mostly in the cache already, and a hit allocates nothing.
     */
    private final class Encoder implements SpecialMatcher.Segments {
        private final WordCache cache = new WordCache();
        private final WordMerger merger = new WordMerger(byteIds, ranks, result);
        /** The call in progress: its text and the ids so far. */
        private String text;
        private int[] ids;
        private int count;

        int[] encode(String text, boolean allowSpecial) {
            this.text = text;
            ids = new int[text.length() / 3 + 16]; // English runs at about four characters a token
            count = 0;
            if (allowSpecial) {
                specialMatcher.split(text, this);
            } else if (!text.isEmpty()) {
                ordinary(0, text.length());
            }
            int[] out = Arrays.copyOf(ids, count);
            this.text = null;
            ids = null;
            return out;
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
