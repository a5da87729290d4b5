package dev.emerald.api;

import dev.emerald.generate.SamplingSettings;

import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** {@link EmeraldModel#stream}: a generation's text pieces handed from its thread to the reader through a queue. */
final class TextStream extends Spliterators.AbstractSpliterator<String> {
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> pieces = new LinkedBlockingQueue<>();
    private Generation generation;
    private boolean ended;

    private TextStream() {
        super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
    }

    static Stream<String> of(EmeraldModel model, String prompt, SamplingSettings settings) {
        TextStream s = new TextStream();
        s.generation = model.start(prompt, settings, s.pieces::add);
        s.generation.future().whenComplete((completion, error) -> s.pieces.add(END));
        return StreamSupport.stream(s, false).onClose(s.generation::cancel);
    }

    @Override
    public boolean tryAdvance(Consumer<? super String> action) {
        if (ended) {
            return false;
        }
        Object next;
        try {
            next = pieces.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            generation.cancel();
            throw new IllegalStateException("interrupted while waiting for generated text", e);
        }
        if (next == END) {
            ended = true;
            generation.join(); // throws what the generation threw
            return false;
        }
        action.accept((String) next);
        return true;
    }
}
