package dev.emerald.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.backend.Backend;
import dev.emerald.io.SafeTensors;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Imports a checkpoint in Hugging Face's GPT-2 layout (config.json with "model_type": "gpt2", and
 * model.safetensors) into Emerald's {@code gpt2} architecture. The file's names are nanoGPT's without
 * the "transformer." prefix (either is accepted); its attention and MLP weights are Conv1D, stored
 * (in, out), the transpose of nn.Linear's (out, in) that Emerald uses; "h.N.attn.bias" and
 * "h.N.attn.masked_bias" are causal-mask buffers, not weights.
 */
public final class HfGpt2 {
    public static final String WEIGHTS = "model.safetensors";

    private static final Pattern BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(masked_)?bias");
    private static final Pattern CONV1D = Pattern.compile("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");

    private HfGpt2() {
    }

    /** Whether a config.json is a Hugging Face GPT-2 config rather than Emerald's own. */
    public static boolean describes(JsonNode config) {
        return "gpt2".equals(config.path("model_type").asText());
    }

    /** The Emerald config of a Hugging Face GPT-2 config.json. */
    public static GptConfig config(JsonNode hf, Path dir) {
        String activation = hf.path("activation_function").asText("gelu_new");
        if (!activation.equals("gelu_new") && !activation.equals("gelu_pytorch_tanh")) {
            throw new UserException(dir + ": activation_function " + activation + " is not supported: Emerald's GPT-2 uses"
                    + " the tanh GELU (gelu_new), as every released GPT-2 checkpoint does");
        }
        double eps = hf.path("layer_norm_epsilon").asDouble(1e-5);
        if (Math.abs(eps - 1e-5) > 1e-12) {
            throw new UserException(dir + ": layer_norm_epsilon " + eps + " is not supported: Emerald's layernorm uses 1e-5, as GPT-2 does");
        }
        int positions = hf.has("n_positions") ? hf.get("n_positions").asInt() : hf.path("n_ctx").asInt(1024);
        boolean tied = hf.path("tie_word_embeddings").asBoolean(true);
        return new GptConfig(required(hf, "vocab_size", dir), positions, required(hf, "n_layer", dir), required(hf, "n_head", dir),
                required(hf, "n_embd", dir), 0f, true, GptConfig.Activation.gelu, true, tied, false, true);
    }

    private static int required(JsonNode hf, String field, Path dir) {
        if (!hf.path(field).canConvertToInt()) {
            throw new UserException(dir.resolve("config.json") + " has no integer " + field + ": it is not a complete GPT-2 config");
        }
        return hf.get(field).asInt();
    }

    /** Loads the model of a Hugging Face GPT-2 directory whose config.json has been read. */
    public static Gpt load(Path dir, JsonNode hf, Backend backend) {
        Gpt gpt = new Gpt(config(hf, dir), backend);
        Path file = dir.resolve(WEIGHTS);
        if (!Files.exists(file)) {
            throw new UserException(dir + " has a GPT-2 config.json but no " + WEIGHTS
                    + ": download the model's safetensors weights (PyTorch .bin files are not read)");
        }
        float[] host = new float[Math.toIntExact(gpt.parameterCount())];
        try (SafeTensors.Reader reader = SafeTensors.Reader.open(file)) {
            Set<String> used = new HashSet<>();
            for (ParameterLayout.Entry e : gpt.layout().entries()) {
                String name = find(reader, e.name(), file);
                used.add(name);
                read(reader, name, e, host, file);
            }
            for (SafeTensors.TensorInfo t : reader.tensors()) {
                String key = strip(t.name());
                boolean tiedHead = key.equals("lm_head.weight") && gpt.config().tieEmbeddings();
                if (!used.contains(t.name()) && !BUFFER.matcher(key).matches() && !tiedHead) {
                    throw new UserException(file + " holds tensor '" + t.name() + "', which a GPT-2 with this config.json does not have:"
                            + " the weights and the config do not belong together");
                }
            }
        }
        backend.upload(gpt.parameters(), host);
        return gpt;
    }

    /** Loads a directory's config.json and weights. */
    public static Gpt load(Path dir, Backend backend) {
        try {
            return load(dir, Models.JSON.readTree(dir.resolve("config.json").toFile()), backend);
        } catch (IOException e) {
            throw new UserException("cannot read " + dir.resolve("config.json") + ": " + e.getMessage(), e);
        }
    }

    private static String strip(String name) {
        return name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
    }

    /** The file's name for one of Emerald's parameters: with or without the "transformer." prefix. */
    private static String find(SafeTensors.Reader reader, String emeraldName, Path file) {
        String bare = strip(emeraldName);
        for (String candidate : new String[] {bare, "transformer." + bare}) {
            if (reader.tensors().stream().anyMatch(t -> t.name().equals(candidate))) {
                return candidate;
            }
        }
        throw new UserException(file + " has no tensor '" + bare + "': it is not a GPT-2 checkpoint with this config.json");
    }

    private static void read(SafeTensors.Reader reader, String name, ParameterLayout.Entry e, float[] host, Path file) {
        long[] shape = reader.tensor(name).shape();
        boolean conv1d = CONV1D.matcher(strip(name)).matches();
        long[] want = Arrays.stream(e.shape()).asLongStream().toArray();
        long[] stored = conv1d ? new long[] {want[1], want[0]} : want;
        if (!Arrays.equals(shape, stored)) {
            throw new UserException(file + ": tensor '" + name + "' has shape " + Arrays.toString(shape) + " but config.json needs "
                    + Arrays.toString(stored) + ": the weights and the config do not belong together");
        }
        int offset = Math.toIntExact(e.offset());
        if (!conv1d) {
            reader.readFloats(name, host, offset);
            return;
        }
        float[] w = new float[Math.toIntExact(e.size())];
        reader.readFloats(name, w, 0);
        int out = e.shape()[0], in = e.shape()[1];
        for (int i = 0; i < in; i++) { // (in, out) -> (out, in)
            for (int o = 0; o < out; o++) {
                host[offset + o * in + i] = w[i * out + o];
            }
        }
    }
}
