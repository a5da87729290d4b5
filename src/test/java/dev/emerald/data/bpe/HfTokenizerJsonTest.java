package dev.emerald.data.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.data.Tokenizer;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfTokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** GPT-2's encoder.json, as bundled. */
    static JsonNode encoderJson() throws IOException {
        try (InputStream in = HfTokenizerJsonTest.class.getResourceAsStream("/tokenizers/gpt2/encoder.json")) {
            return JSON.readTree(in);
        }
    }

    /** GPT-2's merges, the lines of vocab.bpe after its "#version" header. */
    static List<String> mergeLines() throws IOException {
        try (InputStream in = HfTokenizerJsonTest.class.getResourceAsStream("/tokenizers/gpt2/vocab.bpe")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(lines.getFirst().startsWith("#version"));
            return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        }
    }

    /**
     * GPT-2's tokenizer.json as Hugging Face publishes it, built here from OpenAI's two files: the vocabulary as
     * it is, the merges as "a b" strings (or, as tokenizers 0.20 writes them, as ["a", "b"] pairs).
     */
    static ObjectNode gpt2HfJson(boolean mergesAsPairs) throws IOException {
        ObjectNode json = JSON.createObjectNode().put("version", "1.0").putNull("truncation").putNull("padding");
        json.putArray("added_tokens").addObject().put("id", 50256).put("content", "<|endoftext|>").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", true).put("special", true);
        json.putNull("normalizer");
        json.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        json.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false).put("use_regex", true);
        json.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = json.putObject("model").put("type", "BPE").putNull("dropout").putNull("unk_token")
                .put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false);
        model.set("vocab", encoderJson());
        ArrayNode merges = model.putArray("merges");
        for (String line : mergeLines()) {
            if (mergesAsPairs) {
                String[] pair = line.split(" ");
                merges.addArray().add(pair[0]).add(pair[1]);
            } else {
                merges.add(line);
            }
        }
        return json;
    }

    @Test
    void gpt2sTokenizerJsonGivesTheIdsOfItsVocabBpe() throws IOException {
        Bpe gpt2 = Gpt2EncodingTest.GPT2;
        Rng rng = Rng.of(3);
        String text = TestTexts.prose(rng, 3000) + TestTexts.mixed(rng, 500) + TestTexts.randomCodePoints(rng, 500);
        for (boolean pairs : new boolean[] {false, true}) {
            Tokenizer hf = Tokenizer.fromJson(gpt2HfJson(pairs));
            assertEquals(50257, hf.vocabSize());
            assertEquals(gpt2.specialTokens(), hf.specialTokens());
            assertArrayEquals(gpt2.encode(text), hf.encode(text));
            assertArrayEquals(gpt2.encode(text + "<|endoftext|>", true), hf.encode(text + "<|endoftext|>", true));
        }
    }

    @Test
    void writtenJsonHoldsGpt2sOwnVocabularyAndMerges() throws IOException {
        ObjectNode written = Gpt2EncodingTest.GPT2.toJson();
        assertEquals(encoderJson(), written.get("model").get("vocab"));
        List<String> merges = mergeLines();
        assertEquals(merges.size(), written.get("model").get("merges").size());
        for (int i = 0; i < merges.size(); i++) {
            assertEquals(merges.get(i), written.get("model").get("merges").get(i).asText());
        }
        assertEquals(gpt2HfJson(false).get("added_tokens").get(0).get("content"), written.get("added_tokens").get(0).get("content"));
    }

    @Test
    void aTrainedTokenizerSavesAndLoadsUnchanged(@TempDir Path dir) throws IOException {
        String text = TestTexts.prose(Rng.of(9), 5000) + "ünïcödé 日本語 👍";
        Bpe trained = BpeTrainer.train(List.of(text), 600, List.of("<|sep|>"), n -> { });
        Path file = dir.resolve("tokenizer.json");
        trained.save(file);
        Tokenizer loaded = Tokenizer.load(file);
        assertEquals(Bpe.KIND, loaded.kind());
        assertEquals(trained.toJson(), loaded.toJson());
        assertArrayEquals(trained.encode(text + "<|sep|>", true), loaded.encode(text + "<|sep|>", true));
    }

    private static void assertRefused(Consumer<ObjectNode> edit, String phrase) throws IOException {
        ObjectNode json = gpt2HfJson(false);
        edit.accept(json);
        UserException e = assertThrows(UserException.class, () -> Tokenizer.fromJson(json));
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    @Test
    void otherKindsOfTokenizerAreRefusedByName() throws IOException {
        assertRefused(j -> ((ObjectNode) j.get("model")).put("type", "WordPiece"), "WordPiece, not BPE");
        assertRefused(j -> ((ObjectNode) j.get("pre_tokenizer")).put("type", "Metaspace"), "pre_tokenizer is Metaspace");
        assertRefused(j -> ((ObjectNode) j.get("pre_tokenizer")).put("add_prefix_space", true), "adds a space");
        assertRefused(j -> j.putObject("normalizer").put("type", "NFC"), "normalizer (NFC)");
        assertRefused(j -> ((ObjectNode) j.get("model")).put("byte_fallback", true), "byte_fallback");
        assertRefused(j -> ((ObjectNode) j.get("model")).put("continuing_subword_prefix", "##"), "continuing_subword_prefix");
    }

    @Test
    void damagedFilesAreNamed(@TempDir Path dir) throws IOException {
        assertRefused(j -> ((ArrayNode) j.get("model").get("merges")).insert(0, "Ġ zzzq"), "merge 1 ('Ġ zzzq')");
        assertRefused(j -> ((ObjectNode) j.get("model").get("vocab")).put("Ġzzzq", 70000), "id 70000");
        assertRefused(j -> { // the space's token replaced by another (and no merges that need it)
            ObjectNode model = (ObjectNode) j.get("model");
            ((ObjectNode) model.get("vocab")).put("Ġzzzq", ((ObjectNode) model.get("vocab")).remove("Ġ").asInt());
            model.putArray("merges");
        }, "no token for byte 0x20");
        assertRefused(j -> ((ObjectNode) j.get("model").get("vocab")).put("tab\t", 50257), "not written in GPT-2's byte alphabet");
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        UserException e = assertThrows(UserException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith("tokenizer file " + file + ": "), e.getMessage());
    }
}
