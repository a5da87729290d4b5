package dev.emerald.cli;

import dev.emerald.data.Dataset;
import dev.emerald.model.Gpt;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.Trainer;
import dev.emerald.util.UserException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code emerald eval}: a model's mean loss on the validation split of a text or of prepared data, over
 * windows drawn as training's evaluation draws them, so that models of the same block size (a float
 * checkpoint and its int8 copy) are measured on the same text.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mean loss of a model on the validation split of a text (or prepared data), on windows fixed by"
                + " --seed, --batch-size and the block size, as training evaluates.")
final class EvalCommand implements Runnable {
    @Mixin
    Common common;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory, float or int8")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TrainOptions.Source source;

    @Option(names = "--batches", paramLabel = "N", description = "batches averaged (default: ${DEFAULT-VALUE})")
    int batches = 20;

    @Option(names = "--batch-size", paramLabel = "N", description = "windows per batch (default: ${DEFAULT-VALUE})")
    int batchSize = 12;

    @Option(names = "--val-fraction", paramLabel = "F", description = "share of the text (its tail) that is the validation split (default: 0.1, as train's)")
    Double valFraction;

    @Option(names = "--seed", paramLabel = "N", description = "chooses the windows; train's evaluation uses its --seed (default: ${DEFAULT-VALUE})")
    long seed = 1337;

    @Option(names = "--int8", description = "quantize a float GPT's weight matrices to int8 as it loads")
    boolean int8;

    @Override
    public void run() {
        if (batches < 1 || batchSize < 1) {
            throw new UserException("--batches and --batch-size must be positive, got " + batches + " and " + batchSize);
        }
        if (source.data != null && valFraction != null) {
            throw new UserException("--val-fraction does not apply to --data: 'emerald prepare' split the data; leave it out");
        }
        Checkpoint.Loaded loaded = Checkpoint.load(model, common.backend(), int8);
        try (TrainingData input = source.data != null ? TrainingData.prepared(source.data)
                : TrainingData.corpus(source.corpus, valFraction != null ? valFraction : Dataset.DEFAULT_VAL_FRACTION)) {
            input.checkTokenizer(loaded.tokenizer(), model);
            Dataset data = input.dataset(loaded.tokenizer(), loaded.model().blockSize());
            float loss = Trainer.evaluate(loaded.model(), data, true, batchSize, batches, seed);
            new PrintStream(System.out, true, StandardCharsets.UTF_8).printf("val loss %.4f (%s, %d batches of %d x %d tokens of %s)%n",
                    loss, loaded.model() instanceof Gpt gpt && gpt.int8() != null ? "int8 weights" : "float weights", batches, batchSize,
                    loaded.model().blockSize(), input.name());
        }
    }
}
