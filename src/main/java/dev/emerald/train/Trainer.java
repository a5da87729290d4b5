package dev.emerald.train;

import dev.emerald.backend.DropoutRng;
import dev.emerald.data.Batches;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.TrainingSet;
import dev.emerald.model.Gpt;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop: micro-batches with gradient accumulation (each weighted by its share of the step's
 * sequences), AdamW with the warmup + cosine schedule, evaluation every eval_interval steps on fixed
 * batches, a checkpoint at each evaluation, at the end and when asked to stop. Everything that decides
 * a step's numbers (sampler state, dropout seeds from (seed, step, micro-step), optimizer moments) is in
 * the checkpoint, so a resumed run reproduces an uninterrupted one bit for bit.
 */
public final class Trainer {

    /** What a run reports as it goes. */
    public interface Listener {
        default void onStep(int step, float loss, float lr) {
        }

        default void onEval(Metrics metrics) {
        }

        default void onCheckpoint(int step, Path dir) {
        }
    }

    /** How a run ended: the last evaluation, and whether it was stopped early. */
    public record Result(Metrics last, int step, boolean stopped) {
    }

    /** What one step gave: its mean loss and the gradient norm before clipping. */
    public record Step(float loss, float gradNorm) {
    }

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final TrainingSet data;
    private final TrainConfig config;
    private final TrainState.Source source;
    private final Path out;
    private final List<String> metricsLines;
    /** A batch's inputs and targets: batch_size rows of T. */
    private final int[] x, y;
    private volatile boolean stopRequested;

    /** tokenizer, source and out: what {@link #run} saves checkpoints with, and where (null when only {@link #step} is used). */
    public Trainer(LanguageModel model, Tokenizer tokenizer, TrainingSet data, TrainConfig config, TrainState.Source source, Path out) {
        if (model instanceof Gpt gpt && gpt.int8() != null) {
            throw new UserException("an int8-quantized model is for inference only and cannot be trained: train the float"
                    + " checkpoint it was quantized from");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.data = data;
        this.config = config;
        this.source = source;
        this.out = out;
        this.metricsLines = new ArrayList<>();
        this.x = new int[config.batchSize() * data.rowLength()];
        this.y = new int[x.length];
    }

    /** Metrics of the run before a resume, kept in the checkpoint's metrics.jsonl. */
    public void restoreMetrics(List<String> lines, int upToStep) {
        for (String line : lines) {
            try {
                if (Models.JSON.readTree(line).path("step").asInt(Integer.MAX_VALUE) < upToStep) {
                    metricsLines.add(line);
                }
            } catch (IOException e) {
                // a damaged line of an old log is not worth stopping a run for
            }
        }
    }

    /** Asks the loop to stop after the current step and save a checkpoint (safe from any thread). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Runs from startStep to max_steps. optimizer carries the moments of a resumed run (or is fresh);
     * samplerState is the batch sampler's generator state at startStep.
     */
    public Result run(AdamW optimizer, int startStep, long samplerState, Listener listener) {
        Batches sampler = data.batches(false, config.batchSize(), Rng.of(samplerState));
        long tokensPerStep = (long) config.effectiveBatch() * data.rowLength();
        long started = System.nanoTime(), intervalStart = started;
        int intervalSteps = 0;
        float gradNorm = Float.NaN;
        Metrics last = null;
        int step = startStep;
        for (; ; step++) {
            boolean end = step == config.maxSteps() || stopRequested;
            if (step % config.evalInterval() == 0 || end) {
                double now = System.nanoTime();
                double tokensPerS = intervalSteps == 0 ? 0 : (double) intervalSteps * tokensPerStep / ((now - intervalStart) / 1e9);
                last = new Metrics(step, evaluate(false), evaluate(true), config.lr(Math.min(step, config.maxSteps() - 1)),
                        gradNorm, tokensPerS, (now - started) / 1e9);
                listener.onEval(last);
                metricsLines.add(json(last));
                if (step > startStep || end) {
                    Checkpoint.save(out, model, tokenizer, optimizer,
                            new TrainState(step, sampler.rng().state(), source, config), metricsLines);
                    listener.onCheckpoint(step, out);
                }
                intervalStart = System.nanoTime();
                intervalSteps = 0;
            }
            if (end) {
                break;
            }
            Step done = step(optimizer, sampler, step);
            gradNorm = done.gradNorm();
            intervalSteps++;
            listener.onStep(step + 1, done.loss(), config.lr(step));
        }
        return new Result(last, step, step < config.maxSteps());
    }

    /** One optimizer step (step counts from 0): its micro-batches from batches, forward, backward, AdamW. */
    public Step step(AdamW optimizer, Batches batches, int step) {
        float lr = config.lr(step);
        float loss = accumulate(batches, step);
        if (!Float.isFinite(loss)) {
            throw new UserException("the loss became " + loss + " at step " + step + " (learning rate " + lr
                    + "): training stopped" + (out != null ? "; the checkpoint in " + out + " from the last evaluation is intact" : "")
                    + ". Lower --lr or turn on --grad-clip");
        }
        return new Step(loss, optimizer.step(config, lr));
    }

    /**
     * The gradients of one step's mean loss over its effective_batch sequences, into the model's: each
     * micro-batch's mean loss weighs its share of the sequences. Returns that mean loss.
     */
    public float accumulate(Batches batches, int step) {
        int T = data.rowLength(), n = config.effectiveBatch();
        model.zeroGrad();
        float loss = 0;
        for (int micro = 0; micro < config.gradAccum(); micro++) {
            int rows = config.microBatch(micro);
            float share = (float) rows / n;
            batches.next(x, y, rows);
            loss += model.forward(x, y, rows, T, true, DropoutRng.bits(config.seed(), step, micro)) * share;
            model.backward(share);
        }
        return loss;
    }

    private static String json(Metrics m) {
        try {
            return Models.JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException("metrics always serialise", e);
        }
    }

    /** Mean loss over eval_iters batches of a split that are the same at every evaluation, without dropout. */
    public float evaluate(boolean validation) {
        return evaluate(model, data, validation, config.batchSize(), config.evalIters(), config.seed());
    }

    /**
     * A model's mean loss over batches of B rows of a split, without dropout. The rows depend only on the seed,
     * B and the row length, so models of the same block size are compared on the same text.
     */
    public static float evaluate(LanguageModel model, TrainingSet data, boolean validation, int B, int batches, long seed) {
        int T = data.rowLength();
        Batches sampler = data.batches(validation, B, Rng.of(seed ^ 0x5DEECE66DL));
        int[] x = new int[B * T], y = new int[B * T];
        double sum = 0;
        for (int i = 0; i < batches; i++) {
            sampler.next(x, y, B);
            sum += model.forward(x, y, B, T, false, 0);
        }
        return (float) (sum / batches);
    }
}
