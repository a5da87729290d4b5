package dev.emerald.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.util.UserException;

/** Builds a model from its config.json ("architecture": "gpt" or "bigram") and describes one back. */
public final class Models {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Models() {
    }

    public static LanguageModel create(JsonNode config, Backend backend) {
        String arch = config.path("architecture").asText("gpt");
        return switch (arch) {
            case "gpt" -> new Gpt(gptConfig(config), backend);
            case "bigram" -> new Bigram(config.path("vocab_size").asInt(), config.path("block_size").asInt(8), backend);
            default -> throw new UserException("unknown architecture '" + arch + "' in the model config: use \"gpt\" or \"bigram\"");
        };
    }

    static GptConfig gptConfig(JsonNode config) {
        ObjectNode fields = config.deepCopy();
        fields.remove("architecture");
        try {
            return JSON.treeToValue(fields, GptConfig.class);
        } catch (UserException e) {
            throw e;
        } catch (Exception e) {
            Throwable cause = e.getCause() instanceof UserException u ? u : e;
            throw new UserException(cause instanceof UserException ? cause.getMessage() : "invalid model config: " + e.getMessage(), e);
        }
    }

    /** The config.json of a model. */
    public static ObjectNode describe(LanguageModel model) {
        if (model instanceof Gpt gpt) {
            ObjectNode node = JSON.createObjectNode().put("architecture", "gpt");
            node.setAll((ObjectNode) JSON.valueToTree(gpt.config()));
            return node;
        }
        return JSON.createObjectNode().put("architecture", "bigram")
                .put("vocab_size", model.vocabSize()).put("block_size", model.blockSize());
    }
}
