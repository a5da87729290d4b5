package dev.emerald.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A named starting point from models/: a model config (without vocab_size) and a training recipe. */
public record Preset(String name, ObjectNode model, ObjectNode train) {

    public static final List<String> BUILT_IN = List.of("baby", "small", "gpt2", "course", "bigram");

    /** A built-in preset by name, or a preset JSON file by path. */
    public static Preset load(String nameOrPath) {
        JsonNode json;
        try {
            if (BUILT_IN.contains(nameOrPath)) {
                try (InputStream in = Preset.class.getResourceAsStream("/models/" + nameOrPath + ".json")) {
                    json = Models.JSON.readTree(in);
                }
            } else if (Files.isRegularFile(Path.of(nameOrPath))) {
                json = Models.JSON.readTree(Path.of(nameOrPath).toFile());
            } else {
                throw new UserException("unknown preset '" + nameOrPath + "': use one of " + String.join(", ", BUILT_IN)
                        + ", or the path of a preset JSON file");
            }
        } catch (IOException e) {
            throw new UserException("cannot read preset " + nameOrPath + ": " + e.getMessage(), e);
        }
        if (!(json.get("model") instanceof ObjectNode model) || !(json.get("train") instanceof ObjectNode train)) {
            throw new UserException("preset " + nameOrPath + " needs a \"model\" and a \"train\" object");
        }
        return new Preset(nameOrPath, model, train);
    }
}
