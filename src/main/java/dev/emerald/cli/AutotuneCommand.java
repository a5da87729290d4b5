package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.model.Preset;
import dev.emerald.model.TrainingMemory;
import dev.emerald.train.TrainConfig;
import dev.emerald.util.Bytes;
import dev.emerald.util.ProcessMemory;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code emerald autotune}: for a preset on a device, the largest micro-batch and block size whose memory estimate
 * fits a budget, each run to show it does, then the fastest micro-batch x accumulation for an effective batch, by
 * short timed runs on random tokens.
 */
@Command(name = "autotune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find the largest micro-batch and block size that fit a memory budget, then the fastest micro-batch x"
                + " gradient accumulation for an effective batch; prints what it tried (tokens/s, memory estimated and measured)"
                + " and the choice.")
final class AutotuneCommand implements Runnable {
    /** The share of the free memory the default budget takes: the rest is for the JVM's garbage, or the CUDA context and cuBLAS. */
    private static final double DEFAULT_SHARE = 0.8;
    private static final int GPT2_VOCABULARY = 50_257;

    @Mixin
    Common common;

    @Option(names = "--preset", paramLabel = "NAME", description = "baby, small, gpt2, course, bigram, or a preset JSON file (default: ${DEFAULT-VALUE})")
    String preset = "baby";

    @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary of the runs (default: the preset's, else GPT-2's 50,257)")
    Integer vocabSize;

    @Option(names = "--block-size", paramLabel = "N", description = "block size to train with (default: the preset's)")
    Integer blockSize;

    @Option(names = "--max-block-size", paramLabel = "N", description = "largest block size tried (default: 8 x --block-size)")
    Integer maxBlockSize;

    @Option(names = "--effective-batch", paramLabel = "N", description = "sequences per optimizer step to tune for"
            + " (default: the preset's batch_size x grad_accum)")
    Integer effectiveBatch;

    @Option(names = "--budget", paramLabel = "SIZE", description = "memory to fit in, e.g. 2GiB or 512M (default: 80% of the free"
            + " device memory; CPU: of what the heap's old generation may still take)")
    String budget;

    @Option(names = "--steps", paramLabel = "N", description = "timed steps per configuration, after one untimed (default: ${DEFAULT-VALUE})")
    int steps = 3;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        if (steps < 1) {
            throw new UserException("--steps must be positive, got " + steps);
        }
        Preset p = Preset.load(preset);
        ObjectNode model = p.model().deepCopy();
        model.put("vocab_size", vocabSize != null ? vocabSize : model.path("vocab_size").asInt(GPT2_VOCABULARY));
        int T = blockSize != null ? blockSize : model.path("block_size").asInt();
        int maxT = maxBlockSize != null ? maxBlockSize : 8 * T;
        TrainConfig recipe = new RecipeOptions().overrides(p.train());
        int n = effectiveBatch != null ? effectiveBatch : recipe.effectiveBatch();
        if (T < 1 || n < 1 || maxT < T) {
            throw new UserException("--block-size and --effective-batch must be positive, and --max-block-size at least --block-size");
        }

        long limit;
        Estimates estimates;
        try (Backend backend = common.backend()) {
            long free = backend.deviceMemory().map(d -> d.total() - d.used()).orElseGet(ProcessMemory::freeForLongLived);
            limit = budget != null ? Bytes.parse(budget) : (long) (DEFAULT_SHARE * free);
            stdout.printf("autotune %s on %s: vocabulary %,d, block size %d, effective batch %d, budget %s%s%n", preset, backend.name(),
                    model.get("vocab_size").asInt(), T, n, Bytes.human(limit),
                    budget != null ? "" : String.format(" (%.0f%% of %s free)", 100 * DEFAULT_SHARE, Bytes.human(free)));
            estimates = new Estimates(model, backend, limit);
        }
        int largestBatch = estimates.largestBatch(T);
        if (largestBatch == 0) {
            throw new UserException(preset + " needs " + Bytes.human(estimates.of(1, T).total()) + " to train on one sequence of " + T
                    + " tokens, more than the budget of " + Bytes.human(limit) + ": give a larger --budget or a smaller --block-size");
        }
        int largestBlock = estimates.largestBlock(T, maxT);

        stdout.println("measured: " + switch (DeviceChoice.parse(common.device).resolve()) {
            case CPU -> "the live Java heap a run adds (in use after a full collection)";
            case CUDA_EMU -> "the device memory a run adds; the emulator reports the whole machine's memory, which other processes move";
            default -> "the device memory a run adds (cuMemGetInfo)";
        });
        stdout.printf("%11s %6s %5s %10s %11s %11s %9s%n", "micro-batch", "block", "accum", "tokens/s", "estimated", "measured", "meas/est");
        Trial byBatch = trial(model, recipe.withEffectiveBatch(largestBatch, largestBatch), T, "largest micro-batch that fits");
        Trial byBlock = trial(model, recipe.withEffectiveBatch(1, 1), largestBlock, "largest block size that fits");
        // micro-batches of at most 1, 2, 4, ... and the largest that fits; each number of steps once
        Map<Integer, Trial> bySteps = new LinkedHashMap<>();
        int top = Math.min(largestBatch, n);
        for (int cap = 1; ; cap = Math.min(2 * cap, top)) {
            TrainConfig c = recipe.withEffectiveBatch(n, cap);
            if (!bySteps.containsKey(c.gradAccum())) {
                bySteps.put(c.gradAccum(), trial(model, c, T, ""));
            }
            if (cap == top) {
                break;
            }
        }
        Trial choice = bySteps.values().stream().filter(Trial::ran).max(Comparator.comparingDouble(Trial::tokensPerS))
                .orElseThrow(() -> new UserException("no micro-batch for an effective batch of " + n + " ran within "
                        + Bytes.human(limit) + ": give a larger --budget"));

        stdout.printf("largest that fit %s: micro-batch %d at block size %d%s; block size %d at micro-batch 1%s%n", Bytes.human(limit),
                largestBatch, T, byBatch.ran() ? "" : " (by its estimate; the run failed)", largestBlock,
                byBlock.ran() ? "" : " (by its estimate; the run failed)");
        TrainConfig c = choice.config();
        stdout.printf("choice for an effective batch of %d at block size %d: micro-batch %d x %d accumulation steps%s: %,.0f tokens/s,"
                        + " estimated %s, measured %s%n", n, T, c.batchSize(), c.gradAccum(),
                c.microBatch(c.gradAccum() - 1) < c.batchSize() ? " (the last ones one smaller)" : "", choice.tokensPerS(),
                Bytes.human(choice.estimate().total()), Bytes.human(choice.measured()));
        stdout.printf("train with: emerald train --preset %s --block-size %d --batch-size %d --effective-batch %d%n", preset, T,
                c.batchSize(), n);
    }

    /** Runs one configuration; its row starts before the run, so that a slow one shows what it is. */
    private Trial trial(ObjectNode model, TrainConfig config, int T, String note) {
        stdout.printf("%11d %6d %5d", config.batchSize(), T, config.gradAccum());
        Trial t = Trial.run(common::backend, model, config, T, 1, steps);
        long estimated = t.estimate().total();
        if (t.ran()) {
            stdout.printf(" %,10.0f %11s %11s %9.3f %s%n", t.tokensPerS(), Bytes.human(estimated), Bytes.human(t.measured()),
                    (double) t.measured() / estimated, note);
        } else {
            stdout.printf(" %10s %11s %11s %9s %s%n", "-", Bytes.human(estimated), "-", "-",
                    note.isEmpty() ? t.failure() : note + ": " + t.failure());
        }
        return t;
    }

    /** Memory estimates of the preset's model at sizes (B, T), against the budget. */
    private record Estimates(ObjectNode model, Backend backend, long limit) {
        TrainingMemory of(int B, int T) {
            return TrainingMemory.of(model.deepCopy().put("block_size", T), backend, B, T);
        }

        boolean fits(int B, int T) {
            return of(B, T).total() <= limit;
        }

        /** The largest B that fits at T (0 if none): doubling, then halving the gap. */
        int largestBatch(int T) {
            if (!fits(1, T)) {
                return 0;
            }
            int lo = 1, hi = 2;
            while (fits(hi, T)) {
                lo = hi;
                hi *= 2;
            }
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (fits(mid, T)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** The largest of T, 2T, 4T, ... up to maxT that fits one sequence. */
        int largestBlock(int T, int maxT) {
            int t = T;
            while (2L * t <= maxT && fits(1, 2 * t)) {
                t *= 2;
            }
            return t;
        }
    }
}
