package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.data.Corpora;
import dev.emerald.data.Dataset;
import dev.emerald.data.StreamingDecoder;
import dev.emerald.data.Tokenizer;
import dev.emerald.generate.Generator;
import dev.emerald.generate.Sampler;
import dev.emerald.io.AtomicDir;
import dev.emerald.io.FileTrees;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.train.AdamW;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.Metrics;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.TrainState;
import dev.emerald.train.Trainer;
import dev.emerald.util.UserException;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code emerald train}: trains a model on a text and saves checkpoints into --out. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model on a text file, a named corpus (tom-sawyer, bible), or data from 'emerald prepare'.")
final class TrainCommand implements Runnable {
    @Mixin
    Common common;

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

    @Option(names = "--out", paramLabel = "DIR", description = "checkpoint directory (default: runs/PRESET)")
    Path out;

    @Option(names = "--resume", description = "continue the run saved in --out")
    boolean resume;

    @Option(names = "--overwrite", description = "replace the checkpoint already in --out (it stays intact until the new one is complete)")
    boolean overwrite;

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

    @Option(names = "--sample-tokens", paramLabel = "N", description = "tokens of sample text printed at the end (default: ${DEFAULT-VALUE})")
    int sampleTokens = 300;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        Path dir = out != null ? out : Path.of("runs", preset.replaceAll("[^A-Za-z0-9._-]", "_"));
        TrainState resumed = null;
        Checkpoint.Loaded loaded = null;
        if (resume) {
            if (!Files.isRegularFile(dir.resolve(Checkpoint.STATE))) {
                throw new UserException(dir + " holds no resumable run (no " + Checkpoint.STATE + "): start a new run without --resume");
            }
            if (tokenizerName != null) {
                throw new UserException("--tokenizer cannot change when resuming: the run keeps the tokenizer saved in " + dir
                        + "; leave --tokenizer out");
            }
            loaded = Checkpoint.load(dir, common.backend());
            resumed = loaded.state();
        } else {
            checkOutput(dir, overwrite);
        }
        try (TrainingData input = trainingData(resumed)) {
            train(dir, input, loaded);
        }
    }

    /** The data named on the command line, else the resumed run's, else tom-sawyer. */
    private TrainingData trainingData(TrainState resumed) {
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

    /** Trains a new model, or the loaded one from its step. */
    private void train(Path dir, TrainingData input, Checkpoint.Loaded loaded) {
        LanguageModel model;
        Tokenizer tokenizer;
        TrainConfig config;
        AdamW optimizer;
        int startStep;
        long samplerState;
        List<String> oldMetrics = List.of();
        if (loaded != null) {
            TrainState state = loaded.state();
            model = loaded.model();
            tokenizer = loaded.tokenizer();
            input.checkTokenizer(tokenizer, dir);
            optimizer = loaded.optimizer();
            config = overrides(Models.JSON.valueToTree(state.train()));
            startStep = state.step();
            samplerState = state.samplerState();
            oldMetrics = readMetrics(dir);
            if (startStep >= config.maxSteps()) {
                throw new UserException("the run in " + dir + " already reached step " + startStep + ": pass a larger --steps to continue it");
            }
        } else {
            Preset p = Preset.load(preset);
            config = overrides(p.train());
            tokenizer = input.tokenizer(tokenizerName);
            ObjectNode modelJson = p.model().deepCopy();
            putIfSet(modelJson, "block_size", blockSize);
            putIfSet(modelJson, "n_layer", nLayer);
            putIfSet(modelJson, "n_head", nHead);
            putIfSet(modelJson, "n_embd", nEmbd);
            if (dropout != null) {
                modelJson.put("dropout", dropout);
            }
            modelJson.put("vocab_size", tokenizer.vocabSize());
            model = Models.create(modelJson, common.backend());
            model.initWeights(config.seed());
            optimizer = new AdamW(model);
            startStep = 0;
            samplerState = config.seed();
        }
        Dataset data = input.dataset(tokenizer, model.blockSize());
        stdout.printf("%s: %,d parameters, %s | %s: %,d train + %,d val tokens, %s vocabulary %d | batch %d x %d x %d, %d steps%s%n",
                preset, model.layout().total(), Models.describe(model), input.name(), data.train().length(), data.val().length(),
                tokenizer.kind(), tokenizer.vocabSize(), config.batchSize(), config.gradAccum(), model.blockSize(), config.maxSteps(),
                resume ? ", resuming at step " + startStep : "");

        Trainer trainer = new Trainer(model, tokenizer, data, config, input.source(), dir);
        trainer.restoreMetrics(oldMetrics, startStep);
        Signal.handle(new Signal("INT"), s -> trainer.requestStop());
        Trainer.Result result;
        try (ProgressBar bar = ProgressBars.create("train", " steps", startStep, config.maxSteps())) {
            result = trainer.run(optimizer, startStep, samplerState, new Trainer.Listener() {
                @Override
                public void onStep(int step, float loss, float lr) {
                    if (bar != null) {
                        bar.stepTo(step);
                        bar.setExtraMessage(String.format(" loss %.4f", loss));
                    }
                }

                @Override
                public void onEval(Metrics m) {
                    stdout.printf("%sstep %5d/%d | train loss %.4f | val loss %.4f | lr %.2e | %,.0f tokens/s | %s%n",
                            bar != null ? "\r\033[2K" : "", m.step(), config.maxSteps(), m.trainLoss(), m.valLoss(), m.lr(),
                            m.tokensPerS(), clock(m.elapsedS()));
                }
            });
        }
        if (result.stopped()) {
            stdout.printf("stopped at step %d; checkpoint saved in %s (continue with --resume)%n", result.step(), dir);
            throw new Interrupted();
        }
        stdout.printf("done: val loss %.4f after %d steps; checkpoint in %s%n", result.last().valLoss(), result.step(), dir);
        if (sampleTokens > 0) {
            stdout.println("--- sample ---");
            int[] start = tokenizer.encode("\n");
            StreamingDecoder decoder = new StreamingDecoder(tokenizer);
            new Generator(model).generate(start, sampleTokens, new Sampler(1.0f, 0, config.seed()),
                    id -> stdout.print(decoder.next(id)));
            stdout.println(decoder.finish());
        }
    }

    private TrainConfig overrides(ObjectNode base) {
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

    /** Fails before any work if the run could not be saved, or would replace something. */
    private static void checkOutput(Path dir, boolean overwrite) {
        boolean checkpoint = Files.exists(dir.resolve(Checkpoint.CONFIG));
        if (checkpoint && !overwrite) {
            throw new UserException(dir + " already holds a checkpoint: continue it with --resume, replace it with --overwrite, or choose another --out");
        }
        if (!checkpoint && Files.exists(dir) && !FileTrees.isEmptyDirectory(dir)) {
            throw new UserException(dir + " exists and is not an empty directory: choose another --out");
        }
        AtomicDir.checkWritable(dir, "checkpoints");
    }

    private static List<String> readMetrics(Path dir) {
        try {
            return Files.exists(dir.resolve(Checkpoint.METRICS)) ? Files.readAllLines(dir.resolve(Checkpoint.METRICS)) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%dm%02ds", s / 60, s % 60);
    }
}
