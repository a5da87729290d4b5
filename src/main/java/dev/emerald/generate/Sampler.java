package dev.emerald.generate;

import dev.emerald.util.Rng;
import dev.emerald.util.UserException;

import java.util.Arrays;

/** Picks the next token from logits: temperature (0 = greedy), then top-k, then a seeded draw. */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final Rng rng;
    private float[] probs = new float[0];

    public Sampler(SamplingSettings s) {
        this(s.temperature(), s.topK(), s.seed());
    }

    public Sampler(float temperature, int topK, long seed) {
        if (!(temperature >= 0) || !Float.isFinite(temperature)) {
            throw new UserException("--temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK < 0) {
            throw new UserException("--top-k must be 0 (off) or positive, got " + topK);
        }
        this.temperature = temperature;
        this.topK = topK;
        this.rng = Rng.of(seed);
    }

    public int sample(float[] logits, int from, int V) {
        int best = 0;
        for (int v = 1; v < V; v++) {
            if (logits[from + v] > logits[from + best]) {
                best = v;
            }
        }
        if (temperature == 0) {
            return best;
        }
        // the k-th largest logit is the cut-off; ties at the cut-off stay in
        float cutoff = Float.NEGATIVE_INFINITY;
        if (topK > 0 && topK < V) {
            float[] sorted = Arrays.copyOfRange(logits, from, from + V);
            Arrays.sort(sorted);
            cutoff = sorted[V - topK];
        }
        if (probs.length < V) {
            probs = new float[V];
        }
        double sum = 0;
        float max = logits[from + best];
        for (int v = 0; v < V; v++) {
            float z = logits[from + v];
            probs[v] = z < cutoff ? 0f : (float) Math.exp((z - max) / temperature);
            sum += probs[v];
        }
        double r = rng.nextDouble() * sum;
        for (int v = 0; v < V; v++) {
            r -= probs[v];
            if (r < 0 && probs[v] > 0) {
                return v;
            }
        }
        return best;
    }
}
