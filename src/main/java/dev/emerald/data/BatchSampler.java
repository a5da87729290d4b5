package dev.emerald.data;

import dev.emerald.util.Rng;

/**
 * Random training batches like the course's get_batch: each of B rows starts at a uniform position i, with
 * inputs {@code data[i, i+T)} and targets {@code data[i+1, i+T+1)}, the next token after each input.
 */
public final class BatchSampler implements Batches {
    private final Tokens data;
    private final int batchSize;
    private final int blockSize;
    private final Rng rng;
    /** One row's T + 1 tokens: inputs are its first T, targets its last T. */
    private final int[] row;

    /** Draws from {@code rng}, whose state a checkpoint saves to resume the same sequence of batches. */
    public BatchSampler(Tokens data, int batchSize, int blockSize, Rng rng) {
        if (batchSize <= 0 || blockSize <= 0 || data.length() < (long) blockSize + 1) {
            throw new IllegalArgumentException("need batchSize, blockSize > 0 and at least blockSize + 1 tokens; got B="
                    + batchSize + " T=" + blockSize + " tokens=" + data.length());
        }
        this.data = data;
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        this.rng = rng;
        this.row = new int[blockSize + 1];
    }

    /** Fills x and y (each B*T, row-major) with the next batch, allocating nothing. */
    public void next(int[] x, int[] y) {
        int size = batchSize * blockSize;
        if (x.length != size || y.length != size) {
            throw new IllegalArgumentException("x and y must have B*T = " + size + " elements");
        }
        next(x, y, batchSize);
    }

    /** A batch of rows rows (at most B, the smaller micro-batches of an uneven split) into the start of x and y. */
    @Override
    public void next(int[] x, int[] y, int rows) {
        if (rows < 1 || rows > batchSize || x.length < rows * blockSize || y.length < rows * blockSize) {
            throw new IllegalArgumentException("rows must be in [1, " + batchSize + "] and x, y hold rows * T elements; got " + rows);
        }
        long starts = data.length() - blockSize;
        for (int b = 0; b < rows; b++) {
            // nextInt where it suffices, so that runs on in-memory texts draw the batches they always did
            long start = starts <= Integer.MAX_VALUE ? rng.nextInt((int) starts) : rng.nextLong(starts);
            data.copy(start, row, 0, blockSize + 1);
            System.arraycopy(row, 0, x, b * blockSize, blockSize);
            System.arraycopy(row, 1, y, b * blockSize, blockSize);
        }
    }

    @Override
    public Rng rng() {
        return rng;
    }
}
