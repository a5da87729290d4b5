package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.train.Recipe;
import dev.emerald.train.TrainConfig;
import dev.emerald.util.UserException;
import picocli.CommandLine.Option;

/** The training recipe's options: steps, batch, schedule, optimizer, evaluation (train, bench train, finetune). */
final class RecipeOptions {
    @Option(names = "--steps", paramLabel = "N", description = "total optimizer steps (max_steps)")
    Integer steps;

    @Option(names = "--eval-interval", paramLabel = "N", description = "evaluate and checkpoint every N steps")
    Integer evalInterval;

    @Option(names = "--eval-iters", paramLabel = "N", description = "batches per evaluation")
    Integer evalIters;

    @Option(names = "--batch-size", paramLabel = "N", description = "sequences per micro-batch (with --effective-batch: at most)")
    Integer batchSize;

    @Option(names = "--grad-accum", paramLabel = "N", description = "micro-batches per optimizer step (default: 1)")
    Integer gradAccum;

    @Option(names = "--effective-batch", paramLabel = "N", description = "sequences per optimizer step, in as few micro-batches"
            + " of at most --batch-size as hold them (sets --grad-accum)")
    Integer effectiveBatch;

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

    @Option(names = "--seed", paramLabel = "N", description = "seed for init, batches and dropout (default: 1337)")
    Long seed;

    /** The training settings of base with the options given on the command line. */
    TrainConfig overrides(ObjectNode base) {
        ObjectNode t = base.deepCopy();
        putIfSet(t, "max_steps", steps);
        putIfSet(t, "eval_interval", evalInterval);
        putIfSet(t, "eval_iters", evalIters);
        putIfSet(t, "batch_size", batchSize);
        putIfSet(t, "grad_accum", gradAccum);
        if (effectiveBatch != null || batchSize != null || gradAccum != null) {
            t.remove("effective_batch"); // batch_size x grad_accum, unless --effective-batch splits anew
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
        if (seed != null) {
            t.put("seed", seed);
        }
        TrainConfig config = Recipe.config(t);
        if (effectiveBatch == null) {
            return config;
        }
        if (gradAccum != null) {
            throw new UserException("--effective-batch sets the number of micro-batches itself: leave --grad-accum out"
                    + " (--batch-size caps the micro-batch)");
        }
        return config.withEffectiveBatch(effectiveBatch, config.batchSize());
    }

    static void putIfSet(ObjectNode node, String field, Integer value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
