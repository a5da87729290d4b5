package dev.emerald.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where a training run stands, saved as state.json so that {@code train --resume} (or {@code finetune --resume})
 * continues exactly: the next step to run, the batch sampler's generator state and the data it samples from — a
 * text ({@code corpus}, split at {@code val_fraction}), a directory written by {@code emerald prepare}
 * ({@code data}), or a JSONL file of prompt/completion pairs that a fine-tuning run learns ({@code pairs}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainState(int step, long samplerState, String corpus, String data, String pairs, double valFraction, TrainConfig train) {

    /** What a run trains on: one of corpus, data and pairs is set. */
    public record Source(String corpus, String data, String pairs, double valFraction) {
        public static Source corpus(String corpus, double valFraction) {
            return new Source(corpus, null, null, valFraction);
        }

        /** Prepared data, split by prepare with its own validation fraction. */
        public static Source prepared(String dir, double valFraction) {
            return new Source(null, dir, null, valFraction);
        }

        /** Prompt/completion pairs, split by a hash of each pair. */
        public static Source pairs(String file, double valFraction) {
            return new Source(null, null, file, valFraction);
        }
    }

    public TrainState(int step, long samplerState, Source source, TrainConfig train) {
        this(step, samplerState, source.corpus(), source.data(), source.pairs(), source.valFraction(), train);
    }

    public Source source() {
        return new Source(corpus, data, pairs, valFraction);
    }
}
