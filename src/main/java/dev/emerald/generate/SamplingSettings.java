package dev.emerald.generate;

import dev.emerald.util.UserException;

import java.util.List;

/**
 * How to pick each next token and when to stop: temperature (0 = greedy), top-k (0 = off), top-p (1 = off),
 * repetition penalty (1 = off; as in CTRL, a seen token's logit is divided by it when positive, multiplied when
 * negative), the sampling seed, at most maxNewTokens new tokens, the stop strings (the completion ends before the
 * first one and leaves it out) and whether the end-of-text token ends it.
 */
public record SamplingSettings(float temperature, int topK, float topP, float repetitionPenalty, long seed,
                               int maxNewTokens, List<String> stop, boolean stopAtEndOfText) {

    public static final SamplingSettings DEFAULTS = new SamplingSettings(1f, 0, 1f, 1f, 1, 500, List.of(), true);

    public SamplingSettings {
        if (!(temperature >= 0) || !Float.isFinite(temperature)) {
            throw new UserException("temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK < 0) {
            throw new UserException("top-k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new UserException("top-p must be in (0, 1] (1 = off), got " + topP);
        }
        if (!(repetitionPenalty > 0) || !Float.isFinite(repetitionPenalty)) {
            throw new UserException("repetition penalty must be positive (1 = off), got " + repetitionPenalty);
        }
        if (maxNewTokens < 0) {
            throw new UserException("max new tokens must not be negative, got " + maxNewTokens);
        }
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new UserException("a stop string must not be empty");
            }
        }
    }

    public SamplingSettings withTemperature(float v) {
        return new SamplingSettings(v, topK, topP, repetitionPenalty, seed, maxNewTokens, stop, stopAtEndOfText);
    }

    public SamplingSettings withTopK(int v) {
        return new SamplingSettings(temperature, v, topP, repetitionPenalty, seed, maxNewTokens, stop, stopAtEndOfText);
    }

    public SamplingSettings withTopP(float v) {
        return new SamplingSettings(temperature, topK, v, repetitionPenalty, seed, maxNewTokens, stop, stopAtEndOfText);
    }

    public SamplingSettings withRepetitionPenalty(float v) {
        return new SamplingSettings(temperature, topK, topP, v, seed, maxNewTokens, stop, stopAtEndOfText);
    }

    public SamplingSettings withSeed(long v) {
        return new SamplingSettings(temperature, topK, topP, repetitionPenalty, v, maxNewTokens, stop, stopAtEndOfText);
    }

    public SamplingSettings withMaxNewTokens(int v) {
        return new SamplingSettings(temperature, topK, topP, repetitionPenalty, seed, v, stop, stopAtEndOfText);
    }

    public SamplingSettings withStop(List<String> v) {
        return new SamplingSettings(temperature, topK, topP, repetitionPenalty, seed, maxNewTokens, v, stopAtEndOfText);
    }

    public SamplingSettings withStopAtEndOfText(boolean v) {
        return new SamplingSettings(temperature, topK, topP, repetitionPenalty, seed, maxNewTokens, stop, v);
    }
}
