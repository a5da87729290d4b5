package dev.emerald.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.util.UserException;

/** Builds a model from its config.json ("architecture": "gpt" or "bigram") and describes one back. */
public final class Models {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The config.json field of a quantized GPT, and its one value. */
    private static final String QUANTIZATION = "quantization";
    private static final String INT8 = "int8";

    private Models() {
    }

    public static LanguageModel create(JsonNode config, Backend backend) {
        String arch = config.path("architecture").asText("gpt");
        return switch (arch) {
            case "gpt" -> {
                if (int8(config)) {
                    throw new IllegalArgumentException("an int8-quantized GPT is made from its weights: see Int8Host");
                }
                yield new Gpt(gptConfig(config), backend);
            }
            case "bigram" -> new Bigram(config.path("vocab_size").asInt(), config.path("block_size").asInt(8), backend);
            default -> throw unknownArchitecture(arch);
        };
    }

    private static UserException unknownArchitecture(String arch) {
        return new UserException("unknown architecture '" + arch + "' in the model config: use \"gpt\" or \"bigram\"");
    }

    /** Whether a config.json describes an int8-quantized GPT ({@code "quantization": "int8"}). */
    public static boolean int8(JsonNode config) {
        JsonNode q = config.get(QUANTIZATION);
        if (q == null) {
            return false;
        }
        if (!q.asText().equals(INT8) || !config.path("architecture").asText("gpt").equals("gpt")) {
            throw new UserException("unknown quantization " + q + " in the model config: Emerald reads \"int8\" GPTs (made by"
                    + " 'emerald quantize')");
        }
        return true;
    }

    public static GptConfig gptConfig(JsonNode config) {
        ObjectNode fields = config.deepCopy();
        fields.remove("architecture");
        fields.remove(QUANTIZATION);
        return read(fields, GptConfig.class, "model config");
    }

    /**
     * Binds JSON to a config record. A record's own check arrives wrapped by Jackson and is passed on
     * as it is; anything else Jackson rejects (a wrong type, an unknown value) says which config.
     */
    public static <T> T read(JsonNode json, Class<T> type, String what) {
        try {
            return JSON.treeToValue(json, type);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof UserException u) {
                throw u;
            }
            throw new UserException("invalid " + what + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The config.json of a model (a LoRA model's: its base's). */
    public static ObjectNode describe(LanguageModel model) {
        if (model instanceof LoraModel lora) {
            return describe(lora.base());
        }
        if (model instanceof Gpt gpt) {
            return describe(gpt.config(), gpt.int8() != null);
        }
        return JSON.createObjectNode().put("architecture", "bigram")
                .put("vocab_size", model.vocabSize()).put("block_size", model.blockSize());
    }

    /** The config.json of a GPT. */
    public static ObjectNode describe(GptConfig config) {
        ObjectNode node = JSON.createObjectNode().put("architecture", "gpt");
        node.setAll((ObjectNode) JSON.valueToTree(config));
        return node;
    }

    /** The config.json of a GPT, int8-quantized or not. */
    public static ObjectNode describe(GptConfig config, boolean int8) {
        return int8 ? describe(config).put(QUANTIZATION, INT8) : describe(config);
    }

    /** The parameters a config.json describes, counted without building the model. */
    public static long parameterCount(JsonNode config) {
        String arch = config.path("architecture").asText("gpt");
        return switch (arch) {
            case "gpt" -> new ParameterLayout(gptConfig(config)).total();
            case "bigram" -> ParameterLayout.bigram(config.path("vocab_size").asInt()).total();
            default -> throw unknownArchitecture(arch);
        };
    }
}
