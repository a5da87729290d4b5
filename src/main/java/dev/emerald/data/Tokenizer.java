package dev.emerald.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.data.bpe.HfTokenizerJson;
import dev.emerald.io.AtomicFile;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/** Maps text to token ids and back. Stored in a checkpoint as {@value #FILE_NAME}. */
public interface Tokenizer {
    String FILE_NAME = "tokenizer.json";

    int vocabSize();

    /** The ids of {@code text}; a character outside the vocabulary is a {@link UserException} naming it. */
    int[] encode(String text);

    /**
     * With {@code allowSpecial}, the text of a special token (see {@link #specialTokens}) becomes that token;
     * without, it is ordinary text, so that text from elsewhere cannot inject one.
     */
    default int[] encode(String text, boolean allowSpecial) {
        return encode(text);
    }

    /** The text of {@code ids[from, to)}. */
    String decode(int[] ids, int from, int to);

    default String decode(int id) {
        return decode(new int[] {id}, 0, 1);
    }

    /** The UTF-8 bytes of token {@code id}; a byte-level token may hold part of a character (see {@link StreamingDecoder}). */
    byte[] bytes(int id);

    /** Special tokens' texts and ids (e.g. "<|endoftext|>"); none for a character tokenizer. */
    default Map<String, Integer> specialTokens() {
        return Map.of();
    }

    /**
     * The token that ends a document, where the vocabulary has one: {@value dev.emerald.data.bpe.Bpe#END_OF_TEXT}
     * for BPE, U+0003 (END OF TEXT) for a char vocabulary built by {@code emerald prepare}.
     */
    default OptionalInt endOfText() {
        Integer id = specialTokens().get(dev.emerald.data.bpe.Bpe.END_OF_TEXT);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The kind of tokenizer: "char" or "bpe". */
    String kind();

    /** The whole tokenizer as JSON that {@link #fromJson} reads back. */
    ObjectNode toJson();

    /** Emerald's own JSON (with "type"), or a Hugging Face tokenizer.json, as BPE tokenizers are saved. */
    static Tokenizer fromJson(JsonNode json) {
        if (HfTokenizerJson.describes(json)) {
            return HfTokenizerJson.read(json);
        }
        String type = json.path("type").asText("");
        return switch (type) {
            case CharTokenizer.KIND -> CharTokenizer.fromJson(json);
            default -> throw new UserException("unknown tokenizer type '" + type + "': this version of Emerald reads \""
                    + CharTokenizer.KIND + "\" and Hugging Face byte-level BPE tokenizer.json files; the file may come from a newer version");
        };
    }

    /** Writes {@code file} atomically; it must not exist yet. */
    default void save(Path file) {
        try {
            byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(toJson());
            AtomicFile.writeBytes(file, json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tokenizer's JSON tree cannot fail to serialise", e);
        }
    }

    static Tokenizer load(Path file) {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new UserException("tokenizer file " + file + " does not exist: point to a complete checkpoint directory", e);
        } catch (IOException e) {
            throw new UserException("cannot read tokenizer file " + file + " (" + e.getMessage()
                    + "): the checkpoint is damaged; use another checkpoint or retrain", e);
        }
        if (json == null || !json.isObject()) {
            throw new UserException("tokenizer file " + file + " does not hold a JSON object: the checkpoint is damaged; use another checkpoint or retrain");
        }
        try {
            return fromJson(json);
        } catch (UserException e) {
            throw new UserException("tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }
}
