package dev.emerald.data;

import dev.emerald.util.Rng;

/** A stream of training batches: inputs and their targets, row after row of the same length T. */
public interface Batches {
    /** Fills the first rows * T entries of x and y with the next rows rows; a negative target is not trained on. */
    void next(int[] x, int[] y, int rows);

    /** The generator the batches are drawn with, whose state a checkpoint saves to draw the same ones again. */
    Rng rng();
}
