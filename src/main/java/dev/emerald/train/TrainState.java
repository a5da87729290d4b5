package dev.emerald.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where a training run stands, saved as state.json so that {@code train --resume} continues exactly:
 * the next step to run, the batch sampler's generator state and the data it samples from.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainState(int step, long samplerState, String corpus, double valFraction, TrainConfig train) {
}
