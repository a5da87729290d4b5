package dev.emerald.cli;

import dev.emerald.backend.Backend;
import dev.emerald.backend.Precision;
import dev.emerald.io.AtomicDir;
import dev.emerald.io.FileTrees;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.TrainingMemory;
import dev.emerald.train.AdamW;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.LoraCheckpoint;
import dev.emerald.train.Metrics;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.Trainer;
import dev.emerald.util.Bytes;
import dev.emerald.util.ProcessMemory;
import dev.emerald.util.UserException;
import me.tongfei.progressbar.ProgressBar;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Trainer} run from the command line (train and finetune): the memory it will take, a progress bar,
 * a line per evaluation with the memory in use, and Ctrl-C saving a checkpoint (exit 130).
 */
record TrainingRun(PrintStream stdout, LanguageModel model, TrainConfig config, int rowLength, Path dir) {

    /** Runs trainer from startStep to the end (or Ctrl-C) and says where the checkpoint is. */
    Trainer.Result run(Trainer trainer, AdamW optimizer, int startStep, long samplerState) {
        TrainingMemory estimate = TrainingMemory.of(model, config.batchSize(), rowLength);
        Backend backend = model.backend();
        String fp32 = backend.precision() == Precision.FP32 ? "" : " (fp32: " + Bytes.human(TrainingMemory.of(Models.describe(model),
                backend, Precision.FP32, config.batchSize(), rowLength).total()) + ")";
        stdout.printf("memory estimate: %s: %s in all%s%n", estimate.describe(), Bytes.human(estimate.total()), fp32);
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
                    String memory = backend.deviceMemory().map(d -> "device memory " + d.describe()).orElseGet(ProcessMemory::describe);
                    stdout.printf("%sstep %5d/%d | train loss %.4f | val loss %.4f | %s | lr %.2e | %,.0f tokens/s | %s%n",
                            bar != null ? "\r\033[2K" : "", m.step(), config.maxSteps(), m.trainLoss(), m.valLoss(), memory,
                            m.lr(), m.tokensPerS(), clock(m.elapsedS()));
                }
            });
        }
        if (result.stopped()) {
            stdout.printf("stopped at step %d; checkpoint saved in %s (continue with --resume)%n", result.step(), dir);
            throw new Interrupted();
        }
        stdout.printf("done: val loss %.4f after %d steps; checkpoint in %s%n", result.last().valLoss(), result.step(), dir);
        return result;
    }

    /** Fails before any work if the run could not be saved, or would replace something. */
    static void checkOutput(Path dir, boolean overwrite) {
        boolean checkpoint = Files.exists(dir.resolve(Checkpoint.CONFIG)) || LoraCheckpoint.holds(dir);
        if (checkpoint && !overwrite) {
            throw new UserException(dir + " already holds a checkpoint: continue it with --resume, replace it with --overwrite, or choose another --out");
        }
        if (!checkpoint && Files.exists(dir) && !FileTrees.isEmptyDirectory(dir)) {
            throw new UserException(dir + " exists and is not an empty directory: choose another --out");
        }
        AtomicDir.checkWritable(dir, "checkpoints");
    }

    /** The metrics.jsonl lines of the run in dir, which a resumed run keeps. */
    static List<String> readMetrics(Path dir) {
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
