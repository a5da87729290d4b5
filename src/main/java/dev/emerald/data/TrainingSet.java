package dev.emerald.data;

import dev.emerald.util.Rng;

/** What a run learns from: windows of a token stream ({@link Dataset}), or prompt/completion pairs. */
public interface TrainingSet {
    /** Tokens in each row of a batch (T), at most the model's block size. */
    int rowLength();

    /** Batches of at most maxRows rows from the training or the validation split, drawn with rng. */
    Batches batches(boolean validation, int maxRows, Rng rng);
}
