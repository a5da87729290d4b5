package dev.emerald.data;

import dev.emerald.util.UserException;

/**
 * The token ids of a corpus split like the course's: the first part trains, the contiguous tail (by default
 * 10%) validates, so validation text is never seen during training.
 */
public final class Dataset {
    public static final double DEFAULT_VAL_FRACTION = 0.1;

    private final TokenSpan train;
    private final TokenSpan val;

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
        train = new TokenSpan(ids, 0, trainLength);
        val = new TokenSpan(ids, trainLength, ids.length);
        checkLength(name, ids.length, "validation", val, blockSize);
        checkLength(name, ids.length, "training", train, blockSize);
    }

    private static void checkLength(String name, int total, String split, TokenSpan span, int blockSize) {
        if (span.length() < (long) blockSize + 1) {
            throw new UserException("corpus " + name + " has only " + total + " tokens; the " + split
                    + " split (" + span.length() + ") needs at least block_size + 1 = " + ((long) blockSize + 1)
                    + ": use a longer text or a smaller --block-size");
        }
    }

    public TokenSpan train() {
        return train;
    }

    public TokenSpan val() {
        return val;
    }
}
