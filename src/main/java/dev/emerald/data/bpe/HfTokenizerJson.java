package dev.emerald.data.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.util.UserException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's tokenizer.json, for byte-level BPE: model.type "BPE" with "vocab" and "merges", a ByteLevel
 * pre-tokenizer (GPT-2's regex, no prefix space), no normalizer, and "added_tokens" as the special tokens.
 * Emerald writes its own BPE tokenizers in this format too, so either tool reads the other's.
 */
public final class HfTokenizerJson {
    private HfTokenizerJson() {
    }

    /** Whether a JSON file is a Hugging Face tokenizer (rather than one with Emerald's "type" field). */
    public static boolean describes(JsonNode json) {
        return json.path("model").isObject();
    }

    public static Bpe read(JsonNode json) {
        JsonNode model = json.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw unsupported("its model is " + (type.isEmpty() ? "of no stated type" : type) + ", not BPE");
        }
        JsonNode pre = json.path("pre_tokenizer");
        requireByteLevel(pre, "pre_tokenizer");
        if (pre.path("add_prefix_space").asBoolean(false)) {
            throw unsupported("its pre_tokenizer adds a space before the text");
        }
        if (!pre.path("use_regex").asBoolean(true)) {
            throw unsupported("its pre_tokenizer does not split with GPT-2's regex");
        }
        if (!json.path("decoder").isMissingNode() && !json.path("decoder").isNull()) {
            requireByteLevel(json.path("decoder"), "decoder");
        }
        if (!json.path("normalizer").isMissingNode() && !json.path("normalizer").isNull()) {
            throw unsupported("it has a normalizer (" + json.path("normalizer").path("type").asText("?") + ")");
        }
        for (String field : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(field).asText("").isEmpty()) {
                throw unsupported("its model has a " + field);
            }
        }
        for (String field : new String[] {"byte_fallback", "ignore_merges"}) {
            if (model.path(field).asBoolean(false)) {
                throw unsupported("its model sets " + field);
            }
        }
        if (!model.path("dropout").isMissingNode() && !model.path("dropout").isNull()) {
            throw unsupported("its model sets a dropout");
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (JsonNode t : json.path("added_tokens")) {
            if (!t.path("content").isTextual() || !t.path("id").canConvertToInt()) {
                throw corrupt("an entry of \"added_tokens\" lacks a \"content\" text or an integer \"id\"");
            }
            specials.put(t.get("content").asText(), t.get("id").asInt());
        }
        if (!model.path("vocab").isObject()) {
            throw corrupt("model.vocab is not an object of token strings to ids");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        var fields = model.get("vocab").fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (!e.getValue().canConvertToInt()) {
                throw corrupt("the id of '" + e.getKey() + "' is " + e.getValue() + ", not an integer");
            }
            int id = e.getValue().asInt();
            // GPT-2's file lists <|endoftext|> both here and in added_tokens; the added entry decides
            if (!specials.containsValue(id)) {
                vocab.put(e.getKey(), id);
            }
        }
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            // "a b" in files before tokenizers 0.20, ["a", "b"] after
            String[] pair = m.isTextual() ? m.asText().split(" ", -1)
                    : m.isArray() && m.size() == 2 ? new String[] {m.get(0).asText(), m.get(1).asText()} : new String[0];
            if (pair.length != 2) {
                throw corrupt("merge " + m + " is not a pair of tokens");
            }
            merges.add(pair);
        }
        return Bpe.fromStrings(vocab, merges, specials);
    }

    private static void requireByteLevel(JsonNode node, String field) {
        if (!node.path("type").asText("").equals("ByteLevel")) {
            throw unsupported("its " + field + " is " + (node.isObject() ? node.path("type").asText("?") : "missing") + ", not ByteLevel");
        }
    }

    private static UserException unsupported(String why) {
        return new UserException("this Hugging Face tokenizer is not GPT-2's kind of byte-level BPE (" + why
                + "): Emerald reads only those; use gpt2, or a tokenizer trained with 'emerald tokenizer train'");
    }

    private static UserException corrupt(String what) {
        return new UserException("damaged tokenizer.json: " + what + "; download or train it again");
    }

    static ObjectNode write(Bpe bpe) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode json = f.objectNode().put("version", "1.0").putNull("truncation").putNull("padding");
        ArrayNode added = json.putArray("added_tokens");
        bpe.specialTokens().forEach((text, id) -> added.addObject().put("id", id).put("content", text).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true));
        json.putNull("normalizer");
        json.set("pre_tokenizer", byteLevel(f, false, true));
        json.set("post_processor", byteLevel(f, true, false));
        json.set("decoder", byteLevel(f, true, true));
        ObjectNode model = json.putObject("model").put("type", "BPE").putNull("dropout").putNull("unk_token")
                .put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false)
                .put("byte_fallback", false).put("ignore_merges", false);
        // special tokens appear in the vocabulary too, as in GPT-2's file
        String[] specialText = new String[bpe.vocabSize()];
        bpe.specialTokens().forEach((text, id) -> specialText[id] = text);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < bpe.vocabSize(); id++) {
            vocab.put(specialText[id] != null ? specialText[id] : ByteLevel.toText(bpe.token(id)), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (int r = 0; r < bpe.merges(); r++) {
            merges.add(ByteLevel.toText(bpe.token(bpe.mergeLeft(r))) + " " + ByteLevel.toText(bpe.token(bpe.mergeRight(r))));
        }
        return json;
    }

    /** The settings Hugging Face writes for GPT-2 (the post-processor's and decoder's prefix flags do nothing here). */
    private static ObjectNode byteLevel(JsonNodeFactory f, boolean addPrefixSpace, boolean trimOffsets) {
        return f.objectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets).put("use_regex", true);
    }
}
