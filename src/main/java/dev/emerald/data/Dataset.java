package dev.emerald.data;

import dev.emerald.util.Rng;
import dev.emerald.util.UserException;

/**
 * The token ids a run trains and validates on. From a text, split like the course's: the first part trains,
 * the contiguous tail (by default 10%) validates, so validation text is never seen during training. From
 * prepared data ({@code emerald prepare}), the two shards it wrote, split by document.
 */
public final class Dataset implements TrainingSet {
    public static final double DEFAULT_VAL_FRACTION = 0.1;

    private final Tokens train;
    private final Tokens val;
    private final int blockSize;

    /**
     * @param name       how the user knows the corpus (a path or a corpus name), for messages
     * @param blockSize  the context length; each split needs blockSize + 1 tokens for one input/target pair
     */
    public Dataset(String name, int[] ids, double valFraction, int blockSize) {
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new UserException("the validation fraction must be between 0 and 1 (exclusive), got " + valFraction
                    + ": use e.g. 0.1 for 10%");
        }
        int trainLength = (int) (ids.length * (1.0 - valFraction));
        this.blockSize = blockSize;
        train = new TokenSpan(ids, 0, trainLength);
        val = new TokenSpan(ids, trainLength, ids.length);
        checkLength(val, blockSize, "corpus " + name + " has only " + ids.length + " tokens; the validation split",
                "use a longer text or a smaller --block-size");
        checkLength(train, blockSize, "corpus " + name + " has only " + ids.length + " tokens; the training split",
                "use a longer text or a smaller --block-size");
    }

    /** Splits made elsewhere (prepared shards); {@code name} says where they are, for messages. */
    public Dataset(String name, Tokens train, Tokens val, int blockSize) {
        this.train = train;
        this.val = val;
        this.blockSize = blockSize;
        String fix = "prepare more text or use a smaller --block-size";
        checkLength(val, blockSize, "the validation split of " + name, fix);
        checkLength(train, blockSize, "the training split of " + name, fix);
    }

    private static void checkLength(Tokens split, int blockSize, String what, String fix) {
        if (split.length() < (long) blockSize + 1) {
            throw new UserException(what + " (" + split.length() + " tokens) needs at least block_size + 1 = "
                    + ((long) blockSize + 1) + ": " + fix);
        }
    }

    /** Windows of block_size tokens, each target the next token. */
    @Override
    public int rowLength() {
        return blockSize;
    }

    @Override
    public Batches batches(boolean validation, int maxRows, Rng rng) {
        return new BatchSampler(validation ? val : train, maxRows, blockSize, rng);
    }

    public Tokens train() {
        return train;
    }

    public Tokens val() {
        return val;
    }
}
