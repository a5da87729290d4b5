package dev.emerald.generate;

import dev.emerald.data.StreamingDecoder;
import dev.emerald.data.Tokenizer;
import dev.emerald.util.UserException;

import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Text in, text out: encodes a prompt (special tokens' text included), generates, and streams the decoded
 * completion, ending at maxNewTokens, a stop string, the end-of-text token or a cancellation. Thread-safe as
 * its {@link Generator}: share one per model.
 */
public final class TextGenerator {
    private final Generator generator;
    private final Tokenizer tokenizer;

    public TextGenerator(Generator generator, Tokenizer tokenizer) {
        this.generator = generator;
        this.tokenizer = tokenizer;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Generator generator() {
        return generator;
    }

    /** The prompt's ids; a character outside a char vocabulary is a {@link UserException}. */
    public int[] encode(String prompt) {
        if (prompt.isEmpty()) {
            throw new UserException("the prompt is empty: give at least one character");
        }
        try {
            return tokenizer.encode(prompt, true);
        } catch (UserException e) {
            throw new UserException("prompt: " + e.getMessage(), e);
        }
    }

    /**
     * Generates a completion of prompt, handing each piece of text to onText as soon as it is settled (a piece
     * may be empty of nothing: onText is only called with non-empty text); cancelled is asked before each token.
     */
    public Completion generate(String prompt, SamplingSettings settings, Consumer<String> onText, BooleanSupplier cancelled) {
        int[] ids = encode(prompt);
        OptionalInt eot = settings.stopAtEndOfText() ? tokenizer.endOfText() : OptionalInt.empty();
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        StopStrings stops = new StopStrings(settings.stop());
        StringBuilder text = new StringBuilder();
        Consumer<String> emit = s -> {
            if (!s.isEmpty()) {
                text.append(s);
                onText.accept(s);
            }
        };
        Completion.FinishReason[] reason = {Completion.FinishReason.LENGTH};
        int[] count = {0};
        if (cancelled.getAsBoolean()) {
            return new Completion("", ids.length, 0, Completion.FinishReason.CANCELLED);
        }
        generator.generate(ids, settings.maxNewTokens(), new Sampler(settings), id -> {
            count[0]++;
            if (eot.isPresent() && id == eot.getAsInt()) {
                reason[0] = Completion.FinishReason.END_OF_TEXT;
                return false;
            }
            emit.accept(stops.accept(decoder.next(id)));
            if (stops.stopped()) {
                reason[0] = Completion.FinishReason.STOP;
                return false;
            }
            if (cancelled.getAsBoolean()) {
                reason[0] = Completion.FinishReason.CANCELLED;
                return false;
            }
            return true;
        });
        if (!stops.stopped()) {
            emit.accept(stops.accept(decoder.finish()));
            if (!stops.stopped()) {
                emit.accept(stops.flush());
            } else {
                reason[0] = Completion.FinishReason.STOP;
            }
        }
        return new Completion(text.toString(), ids.length, count[0], reason[0]);
    }
}
