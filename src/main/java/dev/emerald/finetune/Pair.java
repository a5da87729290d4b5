package dev.emerald.finetune;

/** A training example for fine-tuning: the model learns to continue prompt with completion, then the end token. */
public record Pair(String prompt, String completion, int line) {

    /** What decides the pair's split: its prompt and completion, so that duplicates share a split. */
    String key() {
        return prompt + '\0' + completion;
    }
}
