package dev.emerald.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.util.UserException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The course's character-level tokenizer: the vocabulary is the sorted distinct characters of the training
 * text. Characters are Unicode code points, so an emoji or a CJK extension character is one token, not two
 * UTF-16 halves.
 */
public final class CharTokenizer implements Tokenizer {
    static final String KIND = "char";
    /** The end-of-text character {@code emerald prepare} puts between documents: U+0003, which prose does not use. */
    public static final int END_OF_TEXT = 0x03;

    /** Code points in id order, strictly increasing, so encoding is a binary search. */
    private final int[] codePoints;
    /** The ids of the Basic Multilingual Plane's characters (-1: not in the vocabulary), looked up rather than searched. */
    private final int[] bmpIds = new int[Character.MAX_VALUE + 1];

    private CharTokenizer(int[] codePoints) {
        this.codePoints = codePoints;
        Arrays.fill(bmpIds, -1);
        for (int id = 0; id < codePoints.length && codePoints[id] <= Character.MAX_VALUE; id++) {
            bmpIds[codePoints[id]] = id;
        }
    }

    public static CharTokenizer fit(String text) {
        if (text.isEmpty()) {
            throw new UserException("cannot build a vocabulary from an empty text: give a text with some characters");
        }
        return new CharTokenizer(text.codePoints().distinct().sorted().toArray());
    }

    /** The vocabulary of exactly these code points, which must be strictly increasing (as a corpus pass collects them). */
    public static CharTokenizer of(int[] codePoints) {
        for (int i = 0; i < codePoints.length; i++) {
            if (!Character.isValidCodePoint(codePoints[i]) || (i > 0 && codePoints[i] <= codePoints[i - 1])) {
                throw new IllegalArgumentException("code points must be valid and strictly increasing; entry " + i + " is " + codePoints[i]);
            }
        }
        if (codePoints.length == 0) {
            throw new UserException("cannot build a vocabulary without characters: give a text with some characters");
        }
        return new CharTokenizer(codePoints.clone());
    }

    @Override
    public int vocabSize() {
        return codePoints.length;
    }

    @Override
    public int[] encode(String text) {
        char[] chars = text.toCharArray(); // indexing an array is several times faster than String.codePointAt
        int[] ids = new int[chars.length];
        int n = 0;
        for (int i = 0; i < chars.length; i++) {
            int cp = chars[i];
            if (Character.isHighSurrogate(chars[i]) && i + 1 < chars.length && Character.isLowSurrogate(chars[i + 1])) {
                cp = Character.toCodePoint(chars[i], chars[++i]);
            }
            int id = cp <= Character.MAX_VALUE ? bmpIds[cp] : Arrays.binarySearch(codePoints, cp);
            if (id < 0) {
                throw new UserException("character " + describe(cp) + " at position " + (n + 1)
                        + " is not in the model's vocabulary of " + codePoints.length
                        + " characters: remove it, or use a model trained on a text that contains it");
            }
            ids[n++] = id;
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        Objects.checkFromToIndex(from, to, ids.length);
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            sb.appendCodePoint(codePoints[Objects.checkIndex(ids[i], codePoints.length)]);
        }
        return sb.toString();
    }

    @Override
    public byte[] bytes(int id) {
        return Character.toString(codePoints[Objects.checkIndex(id, codePoints.length)]).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public OptionalInt endOfText() {
        int id = bmpIds[END_OF_TEXT];
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("type", KIND);
        ArrayNode chars = json.putArray("chars");
        for (int cp : codePoints) {
            chars.add(Character.toString(cp));
        }
        return json;
    }

    static CharTokenizer fromJson(JsonNode json) {
        JsonNode chars = json.get("chars");
        if (chars == null || !chars.isArray() || chars.isEmpty()) {
            throw corrupt("\"chars\" must be a non-empty list of characters");
        }
        int[] cps = new int[chars.size()];
        for (int i = 0; i < cps.length; i++) {
            String s = chars.get(i).isTextual() ? chars.get(i).asText() : "";
            if (s.isEmpty() || s.codePointCount(0, s.length()) != 1) {
                throw corrupt("entry " + i + " of \"chars\" is " + chars.get(i) + ", not a single character");
            }
            cps[i] = s.codePointAt(0);
            if (i > 0 && cps[i] <= cps[i - 1]) {
                throw corrupt("\"chars\" must be sorted with no repeats, but entry " + i + " is " + describe(cps[i]));
            }
        }
        return new CharTokenizer(cps);
    }

    private static UserException corrupt(String what) {
        return new UserException("corrupt character tokenizer: " + what + "; use another checkpoint or retrain");
    }

    /** 'Ж' (U+0416); invisible characters show only their code. */
    private static String describe(int cp) {
        String code = String.format("U+%04X", cp);
        return Character.isISOControl(cp) || Character.isWhitespace(cp) ? code : "'" + Character.toString(cp) + "' (" + code + ")";
    }
}
