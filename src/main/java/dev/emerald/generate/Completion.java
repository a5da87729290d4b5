package dev.emerald.generate;

/** What a generation produced: the completion's text (stop string left out), token counts, and why it ended. */
public record Completion(String text, int promptTokens, int completionTokens, FinishReason finishReason) {

    public enum FinishReason {
        /** maxNewTokens were generated. */
        LENGTH,
        /** a stop string came. */
        STOP,
        /** the model produced the end-of-text token. */
        END_OF_TEXT,
        /** the caller cancelled. */
        CANCELLED
    }
}
