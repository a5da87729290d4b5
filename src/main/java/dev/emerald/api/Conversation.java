package dev.emerald.api;

import dev.emerald.data.Tokenizer;
import dev.emerald.generate.Completion;
import dev.emerald.generate.SamplingSettings;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A chat with a model, held as a base model can hold one: the messages so far (the user's and the model's
 * replies), each followed by a newline, which the model continues. The text kept is cropped from the front to
 * what the model's block size holds, so a conversation can go on for ever. Not thread-safe: one conversation
 * per user; any number of them may share a model.
 */
public final class Conversation {
    private final EmeraldModel model;
    private String context = "";

    public Conversation(EmeraldModel model) {
        this.model = model;
    }

    /** The prompt for a chat's messages: each one's text followed by a newline (no roles: a base model has no chat template). */
    public static String prompt(List<String> messages) {
        StringBuilder sb = new StringBuilder();
        for (String m : messages) {
            sb.append(m).append('\n');
        }
        return sb.toString();
    }

    /** Continues the conversation with message: streams the model's reply to onText, keeps both, and returns the reply. */
    public Completion reply(String message, SamplingSettings settings, Consumer<String> onText, BooleanSupplier cancelled) {
        String prompt = fit(context + prompt(List.of(message)));
        Completion reply = model.generate(prompt, settings, onText, cancelled);
        context = prompt + prompt(List.of(reply.text()));
        return reply;
    }

    /** What the next reply continues from (before the next message and its cropping). */
    public String context() {
        return context;
    }

    /** Forgets the conversation. */
    public void reset() {
        context = "";
    }

    /** The longest suffix of text that is at most block size tokens. */
    private String fit(String text) {
        Tokenizer tokenizer = model.tokenizer();
        int[] ids = tokenizer.encode(text, true);
        while (ids.length > model.blockSize()) {
            // the tokens' bytes are the text's UTF-8, so the excess tokens' bytes say where to cut (rounded up to a character)
            long excess = 0;
            for (int i = 0; i < ids.length - model.blockSize(); i++) {
                excess += tokenizer.bytes(ids[i]).length;
            }
            int cut = 0;
            for (long bytes = 0; bytes < excess; cut = text.offsetByCodePoints(cut, 1)) {
                bytes += new String(Character.toChars(text.codePointAt(cut))).getBytes(StandardCharsets.UTF_8).length;
            }
            text = text.substring(cut);
            ids = tokenizer.encode(text, true);
        }
        return text;
    }
}
