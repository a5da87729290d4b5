package dev.emerald.api;

import dev.emerald.generate.Completion;
import dev.emerald.generate.SamplingSettings;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** A generation running on a thread of its own (see {@link EmeraldModel#start}): cancel it, or wait for its completion. */
public final class Generation {
    private final CompletableFuture<Completion> result = new CompletableFuture<>();
    private volatile boolean cancelled;

    private Generation() {
    }

    static Generation start(EmeraldModel model, String prompt, SamplingSettings settings, Consumer<String> onText) {
        Generation g = new Generation();
        Thread.ofVirtual().name("emerald-generation").start(() -> {
            try {
                g.result.complete(model.generate(prompt, settings, onText, () -> g.cancelled));
            } catch (Throwable e) {
                g.result.completeExceptionally(e);
            }
        });
        return g;
    }

    /** Asks the generation to end before its next token (safe from any thread); its finish reason becomes CANCELLED. */
    public void cancel() {
        cancelled = true;
    }

    /** Completes with the completion, or with what the generation threw. */
    public CompletableFuture<Completion> future() {
        return result;
    }

    /** Waits for the completion; an exception the generation threw is thrown here as it was (unchecked). */
    public Completion join() {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
