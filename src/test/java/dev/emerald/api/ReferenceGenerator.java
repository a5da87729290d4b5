package dev.emerald.api;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.train.Checkpoint;

import java.nio.file.Path;

/** The generation code used directly, on a model loaded on its own: what the API, chat and server are compared against. */
public final class ReferenceGenerator implements AutoCloseable {
    private final TextGenerator generator;

    public ReferenceGenerator(Path checkpoint) {
        Checkpoint.Loaded loaded = Checkpoint.load(checkpoint, new CpuBackend());
        generator = new TextGenerator(new Generator(loaded.model()), loaded.tokenizer());
    }

    /** The completion's text of prompt with settings s. */
    public String text(String prompt, SamplingSettings s) {
        return generator.generate(prompt, s, piece -> { }, () -> false).text();
    }

    @Override
    public void close() {
        generator.generator().model().backend().close();
    }
}
