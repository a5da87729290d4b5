package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.data.Corpora;
import dev.emerald.data.Dataset;
import dev.emerald.data.Tokenizer;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.Recipe;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.TrainState;
import dev.emerald.util.UserException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** What a training run is made of: preset, corpus or prepared data, tokenizer, model sizes and recipe (train and bench train). */
final class TrainOptions {
    @Option(names = "--preset", paramLabel = "NAME", description = "baby, small, gpt2, course, bigram, or a preset JSON file (default: ${DEFAULT-VALUE})")
    String preset = "baby";

    @ArgGroup(exclusive = true)
    Source source = new Source();

    /** A text read into memory, or prepared token shards read through memory maps. */
    static final class Source {
        @Option(names = "--corpus", paramLabel = "FILE|NAME", description = "UTF-8 text file, or tom-sawyer / bible (fetched on first use); default: tom-sawyer, or the resumed run's")
        String corpus;

        @Option(names = "--data", paramLabel = "DIR", description = "a directory written by 'emerald prepare' (token shards, memory-mapped: for corpora of any size)")
        Path data;
    }

    @Option(names = "--tokenizer", paramLabel = "char|gpt2|FILE", description = "char (the text's characters; the default),"
            + " gpt2, or a tokenizer.json (e.g. from 'emerald tokenizer train'); a resumed run keeps its own")
    String tokenizerName;

    @Mixin
    ModelSizes sizes = new ModelSizes();

    @Option(names = "--dropout", paramLabel = "P")
    Float dropout;

    @Option(names = "--val-fraction", paramLabel = "F", description = "share of the text (its tail) held out for validation (default: 0.1)")
    Double valFraction;

    @Mixin
    RecipeOptions recipe;

    /** A run to train: model, tokenizer, recipe, and the data it reads (which the caller closes). */
    record RunSetup(LanguageModel model, Tokenizer tokenizer, TrainConfig config, TrainingData input) {
        /** The run's tokens, split for training and validation. */
        Dataset dataset() {
            return input.dataset(tokenizer, model.blockSize());
        }
    }

    /** The data named on the command line, else the resumed run's (resumed may be null), else tom-sawyer. */
    TrainingData input(TrainState resumed) {
        Path dataDir = source.data != null ? source.data
                : source.corpus == null && resumed != null && resumed.data() != null ? Path.of(resumed.data()) : null;
        if (dataDir != null) {
            if (valFraction != null) {
                throw new UserException("--val-fraction does not apply to --data: 'emerald prepare' split the data (with its own"
                        + " --val-fraction); leave it out");
            }
            return TrainingData.prepared(dataDir);
        }
        String corpus = source.corpus != null ? source.corpus : resumed != null ? resumed.corpus() : Corpora.TOM_SAWYER.name();
        double fraction = valFraction != null ? valFraction : resumed != null ? resumed.valFraction() : Dataset.DEFAULT_VAL_FRACTION;
        return TrainingData.corpus(corpus, fraction);
    }

    /** A fresh run on input: the preset with the options' overrides, the tokenizer, and a model with new weights. */
    RunSetup newRun(Backend backend, TrainingData input) {
        Preset p = Preset.load(preset);
        TrainConfig config = recipe.overrides(p.train());
        Tokenizer tokenizer = input.tokenizer(tokenizerName);
        ObjectNode modelJson = p.model().deepCopy();
        sizes.applyTo(modelJson);
        if (dropout != null) {
            modelJson.put("dropout", dropout);
        }
        return new RunSetup(Recipe.model(modelJson, tokenizer, backend, config.seed()), tokenizer, config, input);
    }

    /** The run loaded from checkpoint dir, continued on input with the options' overrides of its recipe. */
    RunSetup resumedRun(Checkpoint.Loaded loaded, TrainingData input, Path dir) {
        input.checkTokenizer(loaded.tokenizer(), dir);
        TrainConfig config = recipe.overrides(Models.JSON.valueToTree(loaded.state().train()));
        return new RunSetup(loaded.model(), loaded.tokenizer(), config, input);
    }

    /** One line saying what a run trains, on what, and how. */
    String describe(RunSetup run, Dataset data) {
        LanguageModel model = run.model();
        return String.format("%s: %,d parameters, %s | %s: %,d train + %,d val tokens, %s vocabulary %d | %s",
                preset, model.layout().total(), Models.describe(model), run.input().name(), data.train().length(), data.val().length(),
                run.tokenizer().kind(), run.tokenizer().vocabSize(), describe(run.config(), data.rowLength()));
    }

    /** The batch and length of a run, e.g. "batch 12 x 1 x 64, 2000 steps" (sequences x micro-batches x tokens). */
    static String describe(TrainConfig config, int T) {
        String sequences = config.effectiveBatch() == config.batchSize() * config.gradAccum()
                ? config.batchSize() + " x " + config.gradAccum()
                : config.effectiveBatch() + " (" + config.gradAccum() + " micro-batches of " + config.microBatch(config.gradAccum() - 1)
                + "-" + config.batchSize() + ")";
        return String.format("batch %s x %d, %d steps", sequences, T, config.maxSteps());
    }
}
