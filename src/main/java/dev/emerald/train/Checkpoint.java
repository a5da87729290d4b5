package dev.emerald.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.emerald.backend.Backend;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.io.AtomicDir;
import dev.emerald.io.SafeTensors;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.model.Gpt;
import dev.emerald.model.GptConfig;
import dev.emerald.model.HfGpt2;
import dev.emerald.model.Int8Host;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.LoraModel;
import dev.emerald.model.Models;
import dev.emerald.model.ParameterLayout;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint directory: config.json, tokenizer.json, model.safetensors and, for a run that can be
 * resumed, optimizer.safetensors and state.json. Written whole into a temporary directory and renamed.
 */
public final class Checkpoint {
    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "state.json";
    public static final String METRICS = "metrics.jsonl";

    /** A loaded checkpoint; optimizer and state are null for a model saved without them. */
    public record Loaded(LanguageModel model, Tokenizer tokenizer, AdamW optimizer, TrainState state) {
    }

    private Checkpoint() {
    }

    /**
     * Saves a model; with an optimizer, also what resuming needs and the run's metrics so far (one JSON line each). A
     * {@link LoraModel} is saved as its adapters (see {@link LoraCheckpoint}).
     */
    public static void save(Path dir, LanguageModel model, Tokenizer tokenizer, AdamW optimizer, TrainState state, List<String> metrics) {
        if (model instanceof Gpt gpt && gpt.int8() != null) {
            throw new IllegalStateException("an int8-quantized model is written by saveInt8, from the float model's weights");
        }
        String config = model instanceof LoraModel ? LoraCheckpoint.CONFIG : CONFIG;
        Object description = model instanceof LoraModel lora ? LoraCheckpoint.describe(lora) : Models.describe(model);
        AtomicDir.write(dir, config, tmp -> {
            var json = Models.JSON.writer().with(SerializationFeature.INDENT_OUTPUT);
            json.writeValue(tmp.resolve(config).toFile(), description);
            tokenizer.save(tmp.resolve(Tokenizer.FILE_NAME));
            write(tmp.resolve(model instanceof LoraModel ? LoraCheckpoint.ADAPTER : MODEL), model, List.of(new Buffer("", model.parameters())));
            if (optimizer != null) {
                write(tmp.resolve(OPTIMIZER), model, List.of(new Buffer("m.", optimizer.m()), new Buffer("v.", optimizer.v())));
                json.writeValue(tmp.resolve(STATE).toFile(), state);
                Files.write(tmp.resolve(METRICS), metrics);
            }
        });
    }

    /** Saves an int8-quantized GPT for inference: config.json (marked int8), tokenizer.json, model.safetensors. */
    public static void saveInt8(Path dir, Int8Host model, Tokenizer tokenizer) {
        AtomicDir.write(dir, CONFIG, tmp -> {
            Models.JSON.writer().with(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(tmp.resolve(CONFIG).toFile(), Models.describe(model.layout().config(), true));
            tokenizer.save(tmp.resolve(Tokenizer.FILE_NAME));
            Int8Checkpoint.write(tmp.resolve(MODEL), model);
        });
    }

    record Buffer(String prefix, Tensor tensor) {
    }

    static void write(Path file, LanguageModel model, List<Buffer> buffers) {
        List<SafeTensors.Entry> entries = new ArrayList<>();
        for (Buffer b : buffers) {
            float[] host = new float[b.tensor.len()];
            model.backend().download(b.tensor, host);
            for (ParameterLayout.Entry e : model.layout().entries()) {
                entries.add(new SafeTensors.Entry(b.prefix + e.name(), Arrays.stream(e.shape()).asLongStream().toArray(),
                        host, Math.toIntExact(e.offset()), Math.toIntExact(e.size())));
            }
        }
        SafeTensors.write(file, entries, Map.of("format", "pt", "writer", "emerald"));
    }

    /**
     * Loads an Emerald checkpoint, int8-quantized or not, or a Hugging Face GPT-2 directory (its weights, and its
     * tokenizer.json or vocab.json + merges.txt; no optimizer or state).
     */
    public static Loaded load(Path dir, Backend backend) {
        return load(dir, backend, false);
    }

    /**
     * As {@link #load(Path, Backend)}; with int8, a float GPT's weight matrices are quantized as it loads. A LoRA
     * fine-tuning loads merged into its base, with its state but no optimizer (see {@link LoraCheckpoint#resume}).
     */
    public static Loaded load(Path dir, Backend backend, boolean int8) {
        if (LoraCheckpoint.holds(dir) && !int8) {
            return new Loaded(LoraCheckpoint.adapted(dir, backend).merge(), Tokenizers.fromDirectory(dir), null, readState(dir));
        }
        JsonNode config = readConfig(dir);
        Tokenizer tokenizer = Tokenizers.fromDirectory(dir);
        if (Models.int8(config)) {
            GptConfig c = Models.gptConfig(config);
            checkVocabulary(dir, tokenizer, c.vocabSize());
            return new Loaded(Int8Checkpoint.read(dir.resolve(MODEL), c).upload(backend), tokenizer, null, null);
        }
        if (int8) {
            // quantized from a host copy, so the device never holds the float weights
            if (!(load(dir, new CpuBackend()).model() instanceof Gpt gpt)) {
                throw new UserException(dir + " holds a bigram model: int8 quantization is for GPTs; leave out --int8");
            }
            return new Loaded(Int8Host.quantize(gpt).upload(backend), tokenizer, null, null);
        }
        if (HfGpt2.describes(config)) {
            checkVocabulary(dir, tokenizer, HfGpt2.config(config, dir).vocabSize());
            return new Loaded(HfGpt2.load(dir, config, backend), tokenizer, null, null);
        }
        LanguageModel model = Models.create(config, backend);
        checkVocabulary(dir, tokenizer, model.vocabSize());
        read(dir.resolve(MODEL), model, List.of(new Buffer("", model.parameters())));
        return resumable(dir, model, tokenizer);
    }

    /** model and tokenizer of dir, with the optimizer and state saved beside them when dir holds a resumable run. */
    static Loaded resumable(Path dir, LanguageModel model, Tokenizer tokenizer) {
        TrainState state = readState(dir);
        if (state == null) {
            return new Loaded(model, tokenizer, null, null);
        }
        AdamW optimizer = new AdamW(model);
        read(dir.resolve(OPTIMIZER), model, List.of(new Buffer("m.", optimizer.m()), new Buffer("v.", optimizer.v())));
        optimizer.restore(state.step());
        return new Loaded(model, tokenizer, optimizer, state);
    }

    /** The state.json of dir, or null when it has none. */
    private static TrainState readState(Path dir) {
        if (!Files.exists(dir.resolve(STATE))) {
            return null;
        }
        try {
            return Models.JSON.readValue(dir.resolve(STATE).toFile(), TrainState.class);
        } catch (IOException e) {
            throw new UserException(dir.resolve(STATE) + " is damaged (" + e.getMessage() + "): resume from another checkpoint", e);
        }
    }

    /** Whether dir holds an int8-quantized checkpoint (a directory without config.json does not). */
    public static boolean isInt8(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && Models.int8(readConfig(dir));
    }

    /** What {@code emerald info} shows: the model's config (Emerald's form), its size, and its tokenizer. */
    public record Summary(String format, JsonNode config, long parameters, Tokenizer tokenizer) {
    }

    /** Describes a checkpoint, or a Hugging Face GPT-2 directory, without reading its weights. */
    public static Summary inspect(Path dir) {
        JsonNode config = readConfig(dir);
        boolean hf = HfGpt2.describes(config);
        JsonNode emerald = hf ? Models.describe(HfGpt2.config(config, dir)) : config;
        return new Summary(hf ? "Hugging Face GPT-2" : "Emerald checkpoint", emerald, Models.parameterCount(emerald),
                Tokenizers.fromDirectory(dir));
    }

    private static JsonNode readConfig(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("no checkpoint at " + dir + ": give the --out directory of a training run");
        }
        try {
            return Models.JSON.readTree(dir.resolve(CONFIG).toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UserException(dir + " has no " + CONFIG + ": it is not a complete checkpoint; give the --out directory of a training run", e);
        } catch (IOException e) {
            throw new UserException(dir.resolve(CONFIG) + " is not valid JSON (" + e.getMessage() + "): the checkpoint is damaged", e);
        }
    }

    private static void checkVocabulary(Path dir, Tokenizer tokenizer, int modelVocabulary) {
        if (tokenizer.vocabSize() != modelVocabulary) {
            throw new UserException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but the model expects "
                    + modelVocabulary + ": the files come from different runs");
        }
    }

    /** Reads every tensor the layout names, checking dtype and shape, and that the file holds nothing else. */
    static void read(Path file, LanguageModel model, List<Buffer> buffers) {
        try (SafeTensors.Reader reader = SafeTensors.Reader.open(file)) {
            int expected = 0;
            for (Buffer b : buffers) {
                float[] host = new float[b.tensor.len()];
                for (ParameterLayout.Entry e : model.layout().entries()) {
                    String name = b.prefix + e.name();
                    checkShape(file, reader, name, e.shape());
                    reader.readFloats(name, host, Math.toIntExact(e.offset()));
                    expected++;
                }
                model.backend().upload(b.tensor, host);
            }
            checkCount(file, reader, expected);
        }
    }

    /** Fails unless the file's tensor of that name has the shape the model's config needs. */
    static void checkShape(Path file, SafeTensors.Reader reader, String name, int... shape) {
        long[] has = reader.tensor(name).shape();
        long[] want = Arrays.stream(shape).asLongStream().toArray();
        if (!Arrays.equals(has, want)) {
            throw new UserException(file + ": tensor '" + name + "' has shape " + Arrays.toString(has)
                    + " but the model's config needs " + Arrays.toString(want) + ": the weights do not belong to this config");
        }
    }

    /** Fails when the file holds tensors besides the expected ones (all of which were found). */
    static void checkCount(Path file, SafeTensors.Reader reader, int expected) {
        if (reader.tensors().size() != expected) {
            throw new UserException(file + " holds " + reader.tensors().size() + " tensors but the model has " + expected
                    + ": the weights do not belong to this config");
        }
    }
}
