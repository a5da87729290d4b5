package dev.emerald.finetune;

import dev.emerald.data.Batches;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.TrainingSet;
import dev.emerald.data.prep.DocumentSplit;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prompt/completion pairs as training rows: each pair is its prompt's tokens, its completion's and the end
 * token, one pair a row, padded to the longest. Targets are the next tokens where they belong to the completion
 * (the end token included) and -1 elsewhere, so the loss is on completions only. A pair longer than
 * block_size + 1 tokens loses its prompt's start, then its completion's end.
 */
public final class PairSet implements TrainingSet {

    /** A pair's tokens and how many of them are prompt. */
    record Row(int[] ids, int promptLength) {
    }

    private final List<Row> train = new ArrayList<>();
    private final List<Row> val = new ArrayList<>();
    private final List<Pair> valPairs = new ArrayList<>();
    private final int endToken;
    private final int rowLength;
    private int truncated;

    /** The pairs of file, encoded with tokenizer, split by {@link DocumentSplit} on each pair's text at valFraction. */
    public PairSet(String file, List<Pair> pairs, Tokenizer tokenizer, int endToken, int blockSize, double valFraction) {
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new UserException("the validation fraction must be between 0 and 1 (exclusive), got " + valFraction
                    + ": use e.g. 0.1 for 10%");
        }
        this.endToken = endToken;
        int longest = 1;
        for (Pair p : pairs) {
            Row row = row(encode(tokenizer, p.prompt(), file, p), encode(tokenizer, p.completion(), file, p), blockSize);
            longest = Math.max(longest, row.ids.length - 1);
            if (DocumentSplit.isValidation(p.key(), valFraction)) {
                val.add(row);
                valPairs.add(p);
            } else {
                train.add(row);
            }
        }
        rowLength = longest;
        if (train.isEmpty() || val.isEmpty()) {
            throw new UserException("all " + pairs.size() + " pairs of " + file + " fell into the " + (train.isEmpty() ? "validation" : "training")
                    + " split (--val-fraction " + valFraction + "): give more pairs, or another --val-fraction");
        }
    }

    private static int[] encode(Tokenizer tokenizer, String text, String file, Pair p) {
        try {
            return tokenizer.encode(text, false); // a special token's text in the data stays text
        } catch (UserException e) {
            throw new UserException(file + " line " + p.line() + ": " + e.getMessage(), e);
        }
    }

    /** prompt + completion + the end token, cut to block_size + 1 tokens: the prompt's start first, keeping one prompt token. */
    private Row row(int[] prompt, int[] completion, int blockSize) {
        int limit = blockSize + 1, answer = completion.length + 1;
        int keptPrompt = Math.min(prompt.length, Math.max(1, limit - answer));
        int keptAnswer = Math.min(answer, limit - keptPrompt);
        if (keptPrompt + keptAnswer < prompt.length + answer) {
            truncated++;
        }
        int[] ids = new int[keptPrompt + keptAnswer];
        System.arraycopy(prompt, prompt.length - keptPrompt, ids, 0, keptPrompt);
        System.arraycopy(completion, 0, ids, keptPrompt, Math.min(completion.length, keptAnswer));
        if (keptAnswer == answer) {
            ids[ids.length - 1] = endToken;
        }
        return new Row(ids, keptPrompt);
    }

    /** Pairs that were longer than block_size + 1 tokens and were cut. */
    public int truncated() {
        return truncated;
    }

    public int trainSize() {
        return train.size();
    }

    /** The held-out pairs, in file order. */
    public List<Pair> validationPairs() {
        return valPairs;
    }

    /** The longest pair's tokens less one: inputs and targets are shifted by one. */
    @Override
    public int rowLength() {
        return rowLength;
    }

    /** Rows of pairs drawn uniformly, with replacement, from a split. */
    @Override
    public Batches batches(boolean validation, int maxRows, Rng rng) {
        List<Row> rows = validation ? val : train;
        int T = rowLength;
        return new Batches() {
            @Override
            public void next(int[] x, int[] y, int count) {
                if (count < 1 || count > maxRows) {
                    throw new IllegalArgumentException("rows must be in [1, " + maxRows + "], got " + count);
                }
                for (int b = 0; b < count; b++) {
                    fill(rows.get(rng.nextInt(rows.size())), x, y, b * T, T);
                }
            }

            @Override
            public Rng rng() {
                return rng;
            }
        };
    }

    /** One row at x[at, at + T): the pair's tokens, padded with the end token; its targets, -1 outside the completion. */
    private void fill(Row row, int[] x, int[] y, int at, int T) {
        int n = row.ids.length - 1;
        Arrays.fill(x, at, at + T, endToken);
        Arrays.fill(y, at, at + T, -1);
        System.arraycopy(row.ids, 0, x, at, n);
        for (int t = row.promptLength - 1; t < n; t++) {
            y[at + t] = row.ids[t + 1];
        }
    }
}
