package dev.emerald.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.data.Dataset;
import dev.emerald.data.TextFile;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.io.FileTrees;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.train.AdamW;
import dev.emerald.train.Recipe;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.TrainState;
import dev.emerald.train.Trainer;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Training from code: a preset, a text, any overrides of the preset's fields, and a listener for the metrics, as
 * {@code emerald train} runs them.
 *
 * <pre>{@code
 * EmeraldModel model = Training.preset("baby").text(myText).set("max_steps", 500)
 *         .listener(new Trainer.Listener() {
 *             public void onEval(Metrics m) { System.out.println(m.step() + " " + m.valLoss()); }
 *         })
 *         .run();
 * }</pre>
 *
 * A run evaluates every eval_interval steps and at its end, writing a checkpoint each time into {@link #out} (or
 * into a temporary directory deleted at the end). Not thread-safe: build and run a Training on one thread.
 */
public final class Training {
    private static final Set<String> TRAIN_FIELDS = Arrays.stream(TrainConfig.class.getRecordComponents())
            .map(c -> new PropertyNamingStrategies.SnakeCaseStrategy().translate(c.getName())).collect(Collectors.toSet());

    private final ObjectNode model;
    private final ObjectNode train;
    private String name = "text";
    private String text;
    private String tokenizer = Tokenizers.CHAR;
    private DeviceChoice device = DeviceChoice.AUTO;
    private Path out;
    private Trainer.Listener listener = new Trainer.Listener() { };

    private Training(Preset preset) {
        this.model = preset.model().deepCopy();
        this.train = preset.train().deepCopy();
    }

    /** Starts from a built-in preset (baby, small, gpt2, course, bigram) or a preset JSON file. */
    public static Training preset(String nameOrFile) {
        return new Training(Preset.load(nameOrFile));
    }

    /** The text to train on (its tail, 10%, validates). */
    public Training text(String text) {
        this.name = "text";
        this.text = text;
        return this;
    }

    /** A UTF-8 text file to train on. */
    public Training corpus(Path file) {
        this.name = file.toString();
        this.text = TextFile.read(file);
        return this;
    }

    /** char (the text's characters, the default), gpt2, or a tokenizer.json file. */
    public Training tokenizer(String spec) {
        this.tokenizer = spec;
        return this;
    }

    /**
     * Overrides a field of the preset: a model field (block_size, n_layer, n_head, n_embd, dropout, ...) or a
     * training field (max_steps, batch_size, learning_rate, eval_interval, eval_iters, seed, ...); value is a number,
     * boolean or string.
     */
    public Training set(String field, Object value) {
        ObjectNode target = model.has(field) ? model : TRAIN_FIELDS.contains(field) ? train : null;
        if (target == null) {
            throw new UserException("unknown setting '" + field + "': use a field of the preset's model (" + String.join(", ",
                    (Iterable<String>) model::fieldNames) + ") or training settings (" + String.join(", ", TRAIN_FIELDS) + ")");
        }
        target.set(field, Models.JSON.valueToTree(value));
        return this;
    }

    /** Where to train (default: a CUDA GPU when one works, else the CPU). */
    public Training device(DeviceChoice device) {
        this.device = device;
        return this;
    }

    /** A directory for the checkpoints, which must not exist yet or be empty; the run can be resumed from it by the CLI. */
    public Training out(Path dir) {
        this.out = dir;
        return this;
    }

    /** Called at every step and evaluation (on the training thread). */
    public Training listener(Trainer.Listener listener) {
        this.listener = listener;
        return this;
    }

    /** Trains, and returns the trained model, ready to generate (close it to free its memory). */
    public EmeraldModel run() {
        if (text == null) {
            throw new UserException("nothing to train on: give a text or a corpus file");
        }
        if (out != null && Files.exists(out) && !FileTrees.isEmptyDirectory(out)) {
            throw new UserException(out + " exists and is not an empty directory: choose another output directory");
        }
        TrainConfig config = Recipe.config(train);
        Tokenizer tok = Tokenizers.resolve(tokenizer, text);
        Path tmp = null;
        Backend backend = device.open();
        try {
            LanguageModel m = Recipe.model(model, tok, backend, config.seed());
            Dataset data = new Dataset(name, tok.encode(text, true), Dataset.DEFAULT_VAL_FRACTION, m.blockSize());
            tmp = out == null ? Files.createTempDirectory("emerald-training-") : null;
            Path dir = out != null ? out : tmp.resolve("run");
            new Trainer(m, tok, data, config, TrainState.Source.corpus(name, Dataset.DEFAULT_VAL_FRACTION), dir)
                    .run(new AdamW(m), 0, config.seed(), listener);
            return new EmeraldModel(out != null ? out.toAbsolutePath().normalize().getFileName().toString() : "trained", m, tok);
        } catch (IOException e) {
            backend.close();
            throw new UncheckedIOException("cannot create a temporary directory for the run's checkpoints", e);
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        } finally {
            TempDirs.delete(tmp);
        }
    }
}
