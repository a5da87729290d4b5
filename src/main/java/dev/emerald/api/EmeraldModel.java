package dev.emerald.api;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.data.Tokenizer;
import dev.emerald.generate.Completion;
import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.model.LanguageModel;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.UserException;

import java.nio.file.Path;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A loaded model, ready to generate: Emerald's embedding API.
 *
 * <pre>{@code
 * try (EmeraldModel model = EmeraldModel.load(Path.of("runs/tom"))) {
 *     String text = model.generate("Tom ", SamplingSettings.DEFAULTS.withMaxNewTokens(100));
 * }
 * }</pre>
 *
 * <b>Thread safety.</b> Load a model once and share it: every method may be called from any number of threads at
 * once. Concurrent generations take turns token by token (each token is computed under a fair lock), so none
 * waits for another to finish, and each one's result depends only on its own prompt and settings (its sampler is
 * seeded by {@link SamplingSettings#seed()}), never on what runs beside it. {@link #close()} cancels the
 * generations still running, waits for them to end, and frees the model's memory (on a GPU, its device memory);
 * after it, every method throws {@link IllegalStateException}.
 * <p>
 * Bad input (an empty prompt, a character outside a char vocabulary, a damaged checkpoint) throws
 * {@link UserException}, whose message says what is wrong.
 */
public final class EmeraldModel implements AutoCloseable {
    private final String name;
    private final LanguageModel model;
    private final TextGenerator generator;
    // generations hold the read lock while they run; close takes the write lock, so it waits for them
    private final ReadWriteLock running = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private boolean released;

    EmeraldModel(String name, LanguageModel model, Tokenizer tokenizer) {
        this.name = name;
        this.model = model;
        this.generator = new TextGenerator(new Generator(model), tokenizer);
    }

    /** Loads a checkpoint directory (or a Hugging Face GPT-2 directory) onto the best device here (a CUDA GPU, else the CPU). */
    public static EmeraldModel load(Path dir) {
        return load(dir, DeviceChoice.AUTO);
    }

    /** Loads a checkpoint directory onto the given device. */
    public static EmeraldModel load(Path dir, DeviceChoice device) {
        Checkpoint.Loaded loaded = Checkpoint.load(dir, device.open());
        Path file = dir.toAbsolutePath().normalize().getFileName();
        return new EmeraldModel(file != null ? file.toString() : dir.toString(), loaded.model(), loaded.tokenizer());
    }

    /**
     * Loads a checkpoint packaged as classpath resources (e.g. in a jar): {@code resourceDir} is the folder holding
     * config.json, tokenizer.json and model.safetensors, e.g. "models/tiny", found through the thread's context class
     * loader.
     */
    public static EmeraldModel loadResource(String resourceDir) {
        return loadResource(resourceDir, DeviceChoice.AUTO);
    }

    public static EmeraldModel loadResource(String resourceDir, DeviceChoice device) {
        return ResourceCheckpoint.load(resourceDir, device);
    }

    /** The model's name: its directory's name. */
    public String name() {
        return name;
    }

    /** The most tokens the model sees at once; a longer prompt is continued from its last blockSize tokens. */
    public int blockSize() {
        return model.blockSize();
    }

    public Tokenizer tokenizer() {
        return generator.tokenizer();
    }

    /** The number of tokens text encodes to (special tokens' text counting as those tokens). */
    public int countTokens(String text) {
        return text.isEmpty() ? 0 : generator.encode(text).length;
    }

    /** Generates a completion of prompt and returns its text. */
    public String generate(String prompt, SamplingSettings settings) {
        return generate(prompt, settings, piece -> { }, () -> false).text();
    }

    /**
     * Generates a completion of prompt on this thread, handing each piece of text to onText as soon as it is settled;
     * cancelled is asked before each token, and a true ends the completion (its finish reason is then CANCELLED).
     * An exception thrown by onText ends the generation and comes out of this call.
     */
    public Completion generate(String prompt, SamplingSettings settings, Consumer<String> onText, BooleanSupplier cancelled) {
        running.readLock().lock();
        try {
            checkOpen();
            return generator.generate(prompt, settings, onText, () -> closed || cancelled.getAsBoolean());
        } finally {
            running.readLock().unlock();
        }
    }

    /** Starts generating on a virtual thread of its own; the returned handle cancels it or waits for its result. */
    public Generation start(String prompt, SamplingSettings settings, Consumer<String> onText) {
        checkOpen();
        return Generation.start(this, prompt, settings, onText);
    }

    /**
     * The completion of prompt as a stream of text pieces, produced while it is read. Closing the stream (e.g. by
     * try-with-resources) before its end cancels the generation; an error in the generation is thrown by the
     * stream's terminal operation.
     */
    public Stream<String> stream(String prompt, SamplingSettings settings) {
        return TextStream.of(this, prompt, settings);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the model " + name + " is closed");
        }
    }

    /** Cancels running generations, waits for them to end, and frees the model's memory. Closing twice does nothing. */
    @Override
    public void close() {
        closed = true;
        running.writeLock().lock();
        try {
            if (!released) {
                released = true;
                model.backend().close();
            }
        } finally {
            running.writeLock().unlock();
        }
    }
}
