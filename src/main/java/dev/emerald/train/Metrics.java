package dev.emerald.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One evaluation of a training run: a line of metrics.jsonl. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Metrics(int step, float trainLoss, float valLoss, float lr, float gradNorm, double tokensPerS, double elapsedS) {
}
