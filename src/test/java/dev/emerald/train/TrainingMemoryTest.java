package dev.emerald.train;

import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.backend.Precision;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Dataset;
import dev.emerald.model.Bigram;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.TrainingMemory;
import dev.emerald.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The memory estimate printed before training equals what a model, its optimizer and a training step allocate. */
class TrainingMemoryTest {

    private static final String TEXT = TextFixtures.markov(3000, 10, 7);

    /** A backend that counts the bytes allocated through it: floats, and bf16 values of mixed precision. */
    private static Backend counting(Backend inner, AtomicLong bytes) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            if (method.getName().equals("alloc")) {
                bytes.addAndGet(4 * (long) args[0]);
            } else if (method.getName().equals("allocBf16")) {
                bytes.addAndGet(2 * (long) args[0]);
            }
            try {
                return method.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @ParameterizedTest
    @CsvSource({"gpt2, cpu, fp32, 7, 3, 12", "course, cpu, fp32, 5, 5, 9", "bigram, cpu, fp32, 6, 4, 8", "gpt2, cuda-emu, fp32, 4, 2, 12",
            "course, cuda-emu, fp32, 3, 3, 7", "gpt2, cuda-emu, bf16, 4, 2, 12", "course, cuda-emu, bf16, 3, 3, 7"})
    void estimateEqualsTheBytesATrainingStepAllocates(String family, String device, String precision, int n, int cap, int T)
            throws Exception {
        if (device.equals("cuda-emu")) {
            assumeTrue(DeviceChoice.emulatorUnavailable().isEmpty(), () -> DeviceChoice.emulatorUnavailable().orElseThrow());
        }
        AtomicLong allocated = new AtomicLong();
        try (Backend backend = counting(DeviceChoice.parse(device).open(Precision.parse(precision)), allocated)) {
            CharTokenizer tok = CharTokenizer.fit(TEXT);
            Dataset data = new Dataset("markov", tok.encode(TEXT), 0.1, T);
            LanguageModel model = family.equals("bigram") ? new Bigram(tok.vocabSize(), T, backend)
                    : Models.create(Models.JSON.readTree(ModelJson.tiny(family, tok.vocabSize(), T, 0.1f)), backend);
            model.initWeights(1);
            TrainConfig config = new TrainConfig(1, 1, 1e-3f, 1e-4f, 0, 10, 0.1f, 0.9f, 0.99f, 1f, 5, 2, 3).withEffectiveBatch(n, cap);
            Trainer trainer = new Trainer(model, tok, data, config, TrainState.Source.corpus("markov", 0.1), null);
            AdamW optimizer = new AdamW(model);
            for (int step = 0; step < 2; step++) {
                trainer.step(optimizer, data.batches(false, config.batchSize(), Rng.of(step)), step);
            }
            trainer.evaluate(true);

            TrainingMemory estimate = TrainingMemory.of(model, config.batchSize(), T);
            assertEquals((precision.equals("bf16") ? 6 : 4) * model.layout().total(), estimate.parameters(), "float, and bf16, copies");
            assertEquals(allocated.get(), estimate.total(), estimate::describe);
        }
    }
}
