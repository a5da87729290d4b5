package dev.emerald.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.emerald.util.UserException;

/**
 * The training recipe: batch, optimizer, schedule and evaluation settings. A step trains on effective_batch
 * sequences in grad_accum micro-batches, shared as evenly as they allow (the larger first); batch_size is the
 * largest. Without effective_batch (older runs, presets), it is batch_size * grad_accum.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainConfig(
        int batchSize,
        int gradAccum,
        float learningRate,
        float minLr,
        int warmupSteps,
        int maxSteps,
        float weightDecay,
        float beta1,
        float beta2,
        float gradClip,
        int evalInterval,
        int evalIters,
        long seed,
        int effectiveBatch) {

    /** A recipe whose micro-batches all hold batch_size sequences. */
    public TrainConfig(int batchSize, int gradAccum, float learningRate, float minLr, int warmupSteps, int maxSteps,
                       float weightDecay, float beta1, float beta2, float gradClip, int evalInterval, int evalIters, long seed) {
        this(batchSize, gradAccum, learningRate, minLr, warmupSteps, maxSteps, weightDecay, beta1, beta2, gradClip,
                evalInterval, evalIters, seed, 0);
    }

    public TrainConfig {
        check(batchSize > 0, "batch_size must be positive, got " + batchSize);
        check(gradAccum > 0, "grad_accum must be positive, got " + gradAccum);
        if (effectiveBatch == 0) {
            effectiveBatch = batchSize * gradAccum;
        }
        check(effectiveBatch >= gradAccum && accumulationSteps(effectiveBatch, gradAccum) == batchSize,
                "effective_batch (" + effectiveBatch + ") must share into grad_accum (" + gradAccum
                        + ") micro-batches, the largest of batch_size (" + batchSize + ")");
        check(learningRate > 0 && Float.isFinite(learningRate), "learning_rate must be positive, got " + learningRate);
        check(minLr >= 0 && minLr <= learningRate, "min_lr must be in [0, learning_rate], got " + minLr);
        check(warmupSteps >= 0, "warmup_steps must not be negative");
        check(maxSteps > 0, "max_steps must be positive, got " + maxSteps);
        check(weightDecay >= 0, "weight_decay must not be negative");
        check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)");
        check(gradClip >= 0, "grad_clip must not be negative (0 turns clipping off)");
        check(evalInterval > 0, "eval_interval must be positive, got " + evalInterval);
        check(evalIters > 0, "eval_iters must be positive, got " + evalIters);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new UserException("invalid training settings: " + message);
        }
    }

    /** This recipe with steps of n sequences, in as few micro-batches of at most cap sequences as hold them. */
    public TrainConfig withEffectiveBatch(int n, int cap) {
        check(n > 0, "the effective batch must be positive, got " + n);
        int accum = accumulationSteps(n, cap);
        return new TrainConfig(accumulationSteps(n, accum), accum, learningRate, minLr, warmupSteps, maxSteps, weightDecay,
                beta1, beta2, gradClip, evalInterval, evalIters, seed, n);
    }

    /** Micro-batches that a batch of n sequences needs when each holds at most cap: the fewest, ceil(n / cap). */
    public static int accumulationSteps(int n, int cap) {
        return (n + cap - 1) / cap;
    }

    /** Sequences in micro-batch i of a step: effective_batch / grad_accum, one more for the first effective_batch % grad_accum. */
    public int microBatch(int i) {
        return effectiveBatch / gradAccum + (i < effectiveBatch % gradAccum ? 1 : 0);
    }

    /** Learning rate at a step: linear warmup, then cosine decay to min_lr at max_steps (as nanoGPT). */
    public float lr(int step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / (warmupSteps + 1);
        }
        if (maxSteps <= warmupSteps) {
            return minLr;
        }
        double ratio = Math.min(1.0, (double) (step - warmupSteps) / (maxSteps - warmupSteps));
        double coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
        return (float) (minLr + coeff * (learningRate - minLr));
    }
}
