package dev.emerald.cli;

import dev.emerald.data.Dataset;
import dev.emerald.data.Tokenizer;
import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.model.LanguageModel;
import dev.emerald.train.AdamW;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.TrainState;
import dev.emerald.train.Trainer;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Mixin
    PrecisionOption precision;

    @Mixin
    TrainOptions options;

    @Option(names = "--out", paramLabel = "DIR", description = "checkpoint directory (default: runs/PRESET)")
    Path out;

    @Option(names = "--resume", description = "continue the run saved in --out")
    boolean resume;

    @Option(names = "--overwrite", description = "replace the checkpoint already in --out (it stays intact until the new one is complete)")
    boolean overwrite;

    @Option(names = "--sample-tokens", paramLabel = "N", description = "tokens of sample text printed at the end (default: ${DEFAULT-VALUE})")
    int sampleTokens = 300;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        Path dir = out != null ? out : Path.of("runs", options.preset.replaceAll("[^A-Za-z0-9._-]", "_"));
        TrainState resumed = null;
        Checkpoint.Loaded loaded = null;
        if (resume) {
            if (Checkpoint.isInt8(dir)) {
                throw new UserException(dir + " holds an int8-quantized model, which is for inference only: resume the float"
                        + " checkpoint it was quantized from");
            }
            if (!Files.isRegularFile(dir.resolve(Checkpoint.STATE))) {
                throw new UserException(dir + " holds no resumable run (no " + Checkpoint.STATE + "): start a new run without --resume");
            }
            if (options.tokenizerName != null) {
                throw new UserException("--tokenizer cannot change when resuming: the run keeps the tokenizer saved in " + dir
                        + "; leave --tokenizer out");
            }
            loaded = Checkpoint.load(dir, precision.backend(common));
            resumed = loaded.state();
            if (resumed.pairs() != null) {
                throw new UserException(dir + " holds a fine-tuning run: continue it with 'emerald finetune --resume --out " + dir + "'");
            }
        } else {
            TrainingRun.checkOutput(dir, overwrite);
        }
        try (TrainingData input = options.input(resumed)) {
            train(dir, input, loaded);
        }
    }

    /** Trains a new model, or the loaded one from its step. */
    private void train(Path dir, TrainingData input, Checkpoint.Loaded loaded) {
        TrainOptions.RunSetup setup;
        AdamW optimizer;
        int startStep;
        long samplerState;
        List<String> oldMetrics = List.of();
        if (loaded != null) {
            TrainState state = loaded.state();
            setup = options.resumedRun(loaded, input, dir);
            optimizer = loaded.optimizer();
            startStep = state.step();
            samplerState = state.samplerState();
            oldMetrics = TrainingRun.readMetrics(dir);
            if (startStep >= setup.config().maxSteps()) {
                throw new UserException("the run in " + dir + " already reached step " + startStep + ": pass a larger --steps to continue it");
            }
        } else {
            setup = options.newRun(precision.backend(common), input);
            optimizer = new AdamW(setup.model());
            startStep = 0;
            samplerState = setup.config().seed();
        }
        LanguageModel model = setup.model();
        Tokenizer tokenizer = setup.tokenizer();
        TrainConfig config = setup.config();
        Dataset data = setup.dataset();
        stdout.println(options.describe(setup, data) + (resume ? ", resuming at step " + startStep : ""));

        Trainer trainer = new Trainer(model, tokenizer, data, config, input.source(), dir);
        trainer.restoreMetrics(oldMetrics, startStep);
        new TrainingRun(stdout, model, config, data.rowLength(), dir).run(trainer, optimizer, startStep, samplerState);
        if (sampleTokens > 0) {
            stdout.println("--- sample ---");
            SamplingSettings settings = SamplingSettings.DEFAULTS.withSeed(config.seed()).withMaxNewTokens(sampleTokens);
            new TextGenerator(new Generator(model), tokenizer).generate("\n", settings, stdout::print, () -> false);
            stdout.println();
        }
    }
}
