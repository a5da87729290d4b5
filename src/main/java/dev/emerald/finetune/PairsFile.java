package dev.emerald.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.data.TextFile;
import dev.emerald.model.Models;
import dev.emerald.util.UserException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a JSONL file of {"prompt": ..., "completion": ...} lines; blank lines are skipped, anything else is named by its line. */
public final class PairsFile {
    private static final String FORMAT = "each line must be a JSON object {\"prompt\": \"...\", \"completion\": \"...\"}";

    private PairsFile() {
    }

    public static List<Pair> read(Path file) {
        List<Pair> pairs = new ArrayList<>();
        List<String> lines = TextFile.read(file).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                pairs.add(parse(file, lines.get(i), i + 1));
            }
        }
        if (pairs.isEmpty()) {
            throw new UserException(file + " holds no pairs, only blank lines: " + FORMAT);
        }
        return pairs;
    }

    private static Pair parse(Path file, String line, int number) {
        String where = file + " line " + number;
        JsonNode json;
        try {
            json = Models.JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new UserException(where + " is not JSON (" + e.getOriginalMessage() + "): " + FORMAT, e);
        }
        if (!json.isObject()) {
            throw new UserException(where + " is not a JSON object: " + FORMAT);
        }
        String prompt = text(json, "prompt", where), completion = text(json, "completion", where);
        if (prompt.isEmpty()) {
            throw new UserException(where + " has an empty prompt: the completion needs at least one token to follow");
        }
        return new Pair(prompt, completion, number);
    }

    private static String text(JsonNode json, String field, String where) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            throw new UserException(where + (value == null ? " has no \"" + field + "\"" : ": \"" + field + "\" is not a string")
                    + ": " + FORMAT);
        }
        return value.textValue();
    }
}
