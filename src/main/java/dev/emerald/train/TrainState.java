package dev.emerald.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where a training run stands, saved as state.json so that {@code train --resume} continues exactly:
 * the next step to run, the batch sampler's generator state and the data it samples from — a text
 * ({@code corpus}, split at {@code val_fraction}) or a directory written by {@code emerald prepare} ({@code data}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainState(int step, long samplerState, String corpus, String data, double valFraction, TrainConfig train) {

    /** What a run trains on: one of corpus and data is set. */
    public record Source(String corpus, String data, double valFraction) {
        public static Source corpus(String corpus, double valFraction) {
            return new Source(corpus, null, valFraction);
        }

        /** Prepared data, split by prepare with its own validation fraction. */
        public static Source prepared(String dir, double valFraction) {
            return new Source(null, dir, valFraction);
        }
    }

    public TrainState(int step, long samplerState, Source source, TrainConfig train) {
        this(step, samplerState, source.corpus(), source.data(), source.valFraction(), train);
    }

    public Source source() {
        return new Source(corpus, data, valFraction);
    }
}
