package dev.emerald.cli;

import dev.emerald.data.Batches;
import dev.emerald.data.Dataset;
import dev.emerald.model.Gpt;
import dev.emerald.train.AdamW;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.Trainer;
import dev.emerald.util.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code emerald bench train}: times whole training steps (forward, backward, AdamW) of the run that
 * {@code train} would start with the same options, without evaluating or writing anything.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time training steps of the run 'train' would make with these options; --steps are timed, after --untimed more;"
                + " ms/step, GFLOP/s and tokens/s are of the median step.")
final class BenchTrainCommand implements Runnable {
    @Mixin
    Common common;

    @Mixin
    PrecisionOption precision;

    @Mixin
    TrainOptions options;

    @Option(names = "--untimed", paramLabel = "N", description = "steps run first, untimed, while the JIT compiles (default: ${DEFAULT-VALUE})")
    int untimed = 2;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        try (TrainingData input = options.input(null)) {
            bench(options.newRun(precision.backend(common), input));
        }
    }

    private void bench(TrainOptions.RunSetup setup) {
        TrainConfig config = setup.config();
        Dataset data = setup.dataset();
        stdout.println(options.describe(setup, data) + " timed after " + untimed + " untimed");
        int T = data.rowLength();
        Trainer trainer = new Trainer(setup.model(), setup.tokenizer(), data, config, setup.input().source(), null);
        AdamW optimizer = new AdamW(setup.model());
        Batches sampler = data.batches(false, config.batchSize(), Rng.of(config.seed()));
        int timed = config.maxSteps();
        double[] ms = new double[timed];
        for (int step = 0; step < untimed + timed; step++) {
            long start = System.nanoTime();
            Trainer.Step done = trainer.step(optimizer, sampler, step);
            double took = (System.nanoTime() - start) / 1e6;
            if (step >= untimed) {
                ms[step - untimed] = took;
            }
            stdout.printf("step %d: %.1f ms, loss %.4f%s%n", step + 1, took, done.loss(), step < untimed ? " (untimed)" : "");
        }
        double median = Trial.median(ms);
        stdout.printf("ms/step: %.1f (median; mean %.1f, min %.1f, over %d steps)%n", median,
                Arrays.stream(ms).average().orElseThrow(), Arrays.stream(ms).min().orElseThrow(), timed);
        if (setup.model() instanceof Gpt gpt) {
            double flops = gpt.config().trainingFlops(config.effectiveBatch(), T);
            stdout.printf("GFLOP/s: %.1f (%.4g GFLOP a step)%n", flops / median / 1e6, flops / 1e9);
        }
        stdout.printf("tokens/s: %.0f%n", (double) config.effectiveBatch() * T / (median / 1e3));
    }
}
