package dev.emerald.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.emerald.backend.Backend;
import dev.emerald.data.Tokenizer;
import dev.emerald.io.AtomicDir;
import dev.emerald.io.SafeTensors;
import dev.emerald.model.HfGpt2;
import dev.emerald.model.LanguageModel;
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

    /** Saves a model; with an optimizer, also what resuming needs and the run's metrics so far (one JSON line each). */
    public static void save(Path dir, LanguageModel model, Tokenizer tokenizer, AdamW optimizer, TrainState state, List<String> metrics) {
        AtomicDir.write(dir, CONFIG, tmp -> {
            var json = Models.JSON.writer().with(SerializationFeature.INDENT_OUTPUT);
            json.writeValue(tmp.resolve(CONFIG).toFile(), Models.describe(model));
            tokenizer.save(tmp.resolve(Tokenizer.FILE_NAME));
            write(tmp.resolve(MODEL), model, List.of(new Buffer("", model.parameters())));
            if (optimizer != null) {
                write(tmp.resolve(OPTIMIZER), model, List.of(new Buffer("m.", optimizer.m()), new Buffer("v.", optimizer.v())));
                json.writeValue(tmp.resolve(STATE).toFile(), state);
                Files.write(tmp.resolve(METRICS), metrics);
            }
        });
    }

    private record Buffer(String prefix, Tensor tensor) {
    }

    private static void write(Path file, LanguageModel model, List<Buffer> buffers) {
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

    public static Loaded load(Path dir, Backend backend) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("no checkpoint at " + dir + ": give the --out directory of a training run");
        }
        JsonNode config;
        try {
            config = Models.JSON.readTree(dir.resolve(CONFIG).toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UserException(dir + " has no " + CONFIG + ": it is not a complete checkpoint; give the --out directory of a training run", e);
        } catch (IOException e) {
            throw new UserException(dir.resolve(CONFIG) + " is not valid JSON (" + e.getMessage() + "): the checkpoint is damaged", e);
        }
        if (HfGpt2.describes(config)) {
            throw new UserException(dir + " is a Hugging Face GPT-2 checkpoint: Emerald imports its weights, but generating"
                    + " from it needs GPT-2's BPE tokenizer (vocab.json, merges.txt), which this version does not read yet");
        }
        Tokenizer tokenizer = Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME));
        LanguageModel model = Models.create(config, backend);
        if (tokenizer.vocabSize() != model.vocabSize()) {
            throw new UserException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but the model expects "
                    + model.vocabSize() + ": the files come from different runs");
        }
        read(dir.resolve(MODEL), model, List.of(new Buffer("", model.parameters())));
        AdamW optimizer = null;
        TrainState state = null;
        if (Files.exists(dir.resolve(STATE))) {
            try {
                state = Models.JSON.readValue(dir.resolve(STATE).toFile(), TrainState.class);
            } catch (IOException e) {
                throw new UserException(dir.resolve(STATE) + " is damaged (" + e.getMessage() + "): resume from another checkpoint", e);
            }
            optimizer = new AdamW(model);
            read(dir.resolve(OPTIMIZER), model, List.of(new Buffer("m.", optimizer.m()), new Buffer("v.", optimizer.v())));
            optimizer.restore(state.step());
        }
        return new Loaded(model, tokenizer, optimizer, state);
    }

    /** Reads every tensor the layout names, checking dtype and shape, and that the file holds nothing else. */
    private static void read(Path file, LanguageModel model, List<Buffer> buffers) {
        try (SafeTensors.Reader reader = SafeTensors.Reader.open(file)) {
            int expected = 0;
            for (Buffer b : buffers) {
                float[] host = new float[b.tensor.len()];
                for (ParameterLayout.Entry e : model.layout().entries()) {
                    String name = b.prefix + e.name();
                    SafeTensors.TensorInfo info = reader.tensor(name);
                    long[] want = Arrays.stream(e.shape()).asLongStream().toArray();
                    if (!Arrays.equals(info.shape(), want)) {
                        throw new UserException(file + ": tensor '" + name + "' has shape " + Arrays.toString(info.shape())
                                + " but the model's config needs " + Arrays.toString(want) + ": the weights do not belong to this config");
                    }
                    reader.readFloats(name, host, Math.toIntExact(e.offset()));
                    expected++;
                }
                model.backend().upload(b.tensor, host);
            }
            if (reader.tensors().size() != expected) {
                throw new UserException(file + " holds " + reader.tensors().size() + " tensors but the model has " + expected
                        + ": the weights do not belong to this config");
            }
        }
    }
}
