package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.data.Corpora;
import dev.emerald.data.Dataset;
import dev.emerald.data.TextFile;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.train.TrainConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** What a training run is made of: preset, corpus, tokenizer, model sizes and recipe (train and bench train). */
final class TrainOptions {
    @Option(names = "--preset", paramLabel = "NAME", description = "baby, small, gpt2, course, bigram, or a preset JSON file (default: ${DEFAULT-VALUE})")
    String preset = "baby";

    @Option(names = "--corpus", paramLabel = "FILE|NAME", description = "UTF-8 text file, or tom-sawyer / bible (fetched on first use); default: tom-sawyer, or the resumed run's")
    String corpus;

    @Option(names = "--tokenizer", paramLabel = "char|gpt2|FILE", description = "char (the text's characters; the default),"
            + " gpt2, or a tokenizer.json (e.g. from 'emerald tokenizer train'); a resumed run keeps its own")
    String tokenizerName;

    @Option(names = "--steps", paramLabel = "N", description = "total optimizer steps (max_steps)")
    Integer steps;

    @Option(names = "--eval-interval", paramLabel = "N", description = "evaluate and checkpoint every N steps")
    Integer evalInterval;

    @Option(names = "--eval-iters", paramLabel = "N", description = "batches per evaluation")
    Integer evalIters;

    @Option(names = "--batch-size", paramLabel = "N", description = "sequences per micro-batch")
    Integer batchSize;

    @Option(names = "--grad-accum", paramLabel = "N", description = "micro-batches per optimizer step (default: 1)")
    Integer gradAccum;

    @Option(names = "--block-size", paramLabel = "N", description = "context length")
    Integer blockSize;

    @Option(names = "--n-layer", paramLabel = "N")
    Integer nLayer;

    @Option(names = "--n-head", paramLabel = "N")
    Integer nHead;

    @Option(names = "--n-embd", paramLabel = "N")
    Integer nEmbd;

    @Option(names = "--dropout", paramLabel = "P")
    Float dropout;

    @Option(names = "--lr", paramLabel = "LR", description = "peak learning rate")
    Float lr;

    @Option(names = "--min-lr", paramLabel = "LR", description = "learning rate at the end of the cosine decay")
    Float minLr;

    @Option(names = "--warmup-steps", paramLabel = "N")
    Integer warmupSteps;

    @Option(names = "--weight-decay", paramLabel = "W")
    Float weightDecay;

    @Option(names = "--grad-clip", paramLabel = "NORM", description = "clip the global gradient norm; 0 = off")
    Float gradClip;

    @Option(names = "--val-fraction", paramLabel = "F", description = "share of the text (its tail) held out for validation (default: 0.1)")
    Double valFraction;

    @Option(names = "--seed", paramLabel = "N", description = "seed for init, batches and dropout (default: 1337)")
    Long seed;

    /** A run to train: model, tokenizer, recipe and text. */
    record RunSetup(LanguageModel model, Tokenizer tokenizer, TrainConfig config, String corpusName, String text, double valFraction) {
        Path corpusFile() {
            return Corpora.resolve(corpusName, Corpora.DEFAULT_DIR);
        }

        /** The run's text as token ids, split for training and validation. */
        Dataset dataset() {
            // the user's own text: their special tokens' text (e.g. <|endoftext|> between documents) means those tokens
            return new Dataset(corpusFile().toString(), tokenizer.encode(text, true), valFraction, model.blockSize());
        }
    }

    /** A fresh run: the preset with the options' overrides, its text and tokenizer, and a model with new weights. */
    RunSetup newRun(Backend backend) {
        Preset p = Preset.load(preset);
        TrainConfig config = overrides(p.train());
        String corpusName = corpus != null ? corpus : Corpora.TOM_SAWYER.name();
        double valFrac = valFraction != null ? valFraction : Dataset.DEFAULT_VAL_FRACTION;
        String text = TextFile.read(Corpora.resolve(corpusName, Corpora.DEFAULT_DIR));
        Tokenizer tokenizer = Tokenizers.resolve(tokenizerName != null ? tokenizerName : Tokenizers.CHAR, text);
        ObjectNode modelJson = p.model().deepCopy();
        putIfSet(modelJson, "block_size", blockSize);
        putIfSet(modelJson, "n_layer", nLayer);
        putIfSet(modelJson, "n_head", nHead);
        putIfSet(modelJson, "n_embd", nEmbd);
        if (dropout != null) {
            modelJson.put("dropout", dropout);
        }
        modelJson.put("vocab_size", tokenizer.vocabSize());
        LanguageModel model = Models.create(modelJson, backend);
        model.initWeights(config.seed());
        return new RunSetup(model, tokenizer, config, corpusName, text, valFrac);
    }

    /** One line saying what a run trains, on what, and how. */
    String describe(RunSetup run, Dataset data) {
        LanguageModel model = run.model();
        TrainConfig config = run.config();
        return String.format("%s: %,d parameters, %s | %s: %,d train + %,d val tokens, %s vocabulary %d | batch %d x %d x %d, %d steps",
                preset, model.layout().total(), Models.describe(model), run.corpusFile(), data.train().length(), data.val().length(),
                run.tokenizer().kind(), run.tokenizer().vocabSize(), config.batchSize(), config.gradAccum(), model.blockSize(),
                config.maxSteps());
    }

    /** The training settings of base with the options given on the command line. */
    TrainConfig overrides(ObjectNode base) {
        ObjectNode t = base.deepCopy();
        putIfSet(t, "max_steps", steps);
        putIfSet(t, "eval_interval", evalInterval);
        putIfSet(t, "eval_iters", evalIters);
        putIfSet(t, "batch_size", batchSize);
        putIfSet(t, "grad_accum", gradAccum);
        if (!t.has("grad_accum")) {
            t.put("grad_accum", 1);
        }
        if (lr != null) {
            t.put("learning_rate", lr);
            if (minLr == null && t.path("min_lr").floatValue() > lr) {
                t.put("min_lr", lr);
            }
        }
        if (minLr != null) {
            t.put("min_lr", minLr);
        }
        putIfSet(t, "warmup_steps", warmupSteps);
        if (weightDecay != null) {
            t.put("weight_decay", weightDecay);
        }
        if (gradClip != null) {
            t.put("grad_clip", gradClip);
        }
        if (seed != null || !t.has("seed")) {
            t.put("seed", seed != null ? seed : 1337L);
        }
        return Models.read(t, TrainConfig.class, "training settings");
    }

    private static void putIfSet(ObjectNode node, String field, Integer value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
