package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceMemory;
import dev.emerald.data.Dataset;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.TrainingMemory;
import dev.emerald.train.AdamW;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.Trainer;
import dev.emerald.util.ProcessMemory;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One configuration autotune tries: a fresh model of the preset, trained for a few steps on random tokens on a fresh
 * backend, timed (median step) and measured: the device memory it added on a GPU, the live heap it added (after a
 * full collection) on the CPU. A failure, such as running out of memory, is kept as the trial's result.
 */
record Trial(TrainConfig config, int blockSize, TrainingMemory estimate, double tokensPerS, long measured, String failure) {

    boolean ran() {
        return failure == null;
    }

    /** Trains modelJson (its block_size set to T) with config for untimed + timed steps on a backend from open. */
    static Trial run(Supplier<Backend> open, ObjectNode modelJson, TrainConfig config, int T, int untimed, int timed) {
        ObjectNode json = modelJson.deepCopy().put("block_size", T);
        try (Backend backend = open.get()) {
            TrainingMemory estimate = TrainingMemory.of(json, backend, config.batchSize(), T);
            long before = used(backend);
            try {
                LanguageModel model = Models.create(json, backend);
                model.initWeights(config.seed());
                Rng rng = Rng.of(config.seed());
                int[] ids = new int[4 * (T + 1)];
                Arrays.setAll(ids, i -> rng.nextInt(model.vocabSize()));
                Dataset data = new Dataset("random tokens", ids, 0.5, T);
                Trainer trainer = new Trainer(model, null, data, config, null, null);
                AdamW optimizer = new AdamW(model);
                var batches = data.batches(false, config.batchSize(), rng);
                double[] seconds = new double[timed];
                for (int step = 0; step < untimed + timed; step++) {
                    long start = System.nanoTime();
                    trainer.step(optimizer, batches, step);
                    if (step >= untimed) {
                        seconds[step - untimed] = (System.nanoTime() - start) / 1e9;
                    }
                }
                long measured = used(backend) - before;
                Reference.reachabilityFence(model);
                Reference.reachabilityFence(optimizer);
                return new Trial(config, T, estimate, (double) config.effectiveBatch() * T / median(seconds), measured, null);
            } catch (OutOfMemoryError | UserException e) {
                return new Trial(config, T, estimate, 0, 0, e instanceof OutOfMemoryError ? "out of memory (Java heap)" : e.getMessage());
            }
        }
    }

    /** Memory in use: the device's where the backend has one, else the live Java heap. */
    private static long used(Backend backend) {
        return backend.deviceMemory().map(DeviceMemory::used).orElseGet(ProcessMemory::liveHeap);
    }

    /** The median: on a shared machine a few steps the OS slowed down would move the mean. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
