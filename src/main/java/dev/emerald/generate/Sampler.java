package dev.emerald.generate;

import dev.emerald.util.Rng;

import java.util.Arrays;

/**
 * Picks the next token from logits, as {@link SamplingSettings} describes: the repetition penalty on every token of
 * the sequence so far (prompt and generated), then temperature (0 = greedy: the most likely token, the first of
 * equals), top-k, top-p, and a seeded draw from what is left. Top-k keeps the tokens whose logit is at least the
 * k-th largest; top-p then keeps the most likely tokens until their probability adds up to p (at least one),
 * together with any as likely as the last one kept. One sampler per sequence: it holds the random stream.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final float topP;
    private final float repetitionPenalty;
    private final Rng rng;
    private float[] scores = new float[0];
    private float[] probs = new float[0];
    private float[] sorted = new float[0];
    /** The call that last penalised each token, so a token seen twice is penalised once. */
    private int[] penalisedIn = new int[0];
    private int calls;

    public Sampler(SamplingSettings s) {
        this.temperature = s.temperature();
        this.topK = s.topK();
        this.topP = s.topP();
        this.repetitionPenalty = s.repetitionPenalty();
        this.rng = Rng.of(s.seed());
    }

    /** Temperature and top-k only. */
    public Sampler(float temperature, int topK, long seed) {
        this(SamplingSettings.DEFAULTS.withTemperature(temperature).withTopK(topK).withSeed(seed));
    }

    /** The next token after context[0, n), given the logits of all V = logits.length tokens (left unchanged). */
    public int sample(float[] logits, int[] context, int n) {
        int V = logits.length;
        float[] w = weights(logits, context, n);
        double sum = 0;
        for (int v = 0; v < V; v++) {
            sum += w[v];
        }
        double r = rng.nextDouble() * sum;
        int last = 0;
        for (int v = 0; v < V; v++) {
            if (w[v] > 0) {
                last = v;
                r -= w[v];
                if (r < 0) {
                    return v;
                }
            }
        }
        return last; // r used up by rounding
    }

    /**
     * What {@link #sample} draws from, in proportion, for tokens [0, logits.length): greedy, 1 for the token with the
     * highest score; else the probabilities at the temperature left by top-k and top-p, not normalised.
     */
    float[] weights(float[] logits, int[] context, int n) {
        int V = logits.length;
        int best = penalise(logits, context, n);
        if (temperature == 0) {
            Arrays.fill(probs, 0, V, 0f);
            probs[best] = 1f;
        } else {
            probabilities(V, best);
        }
        return probs;
    }

    /**
     * scores = the logits with the repetition penalty (CTRL's: a positive logit divided by it, a negative one
     * multiplied) applied once to each token of context[0, n); returns the token with the highest score.
     */
    private int penalise(float[] logits, int[] context, int n) {
        int V = logits.length;
        if (scores.length < V) {
            scores = new float[V];
            probs = new float[V];
            sorted = new float[V];
            penalisedIn = new int[V];
        }
        System.arraycopy(logits, 0, scores, 0, V);
        if (repetitionPenalty != 1) {
            calls++;
            for (int i = 0; i < n; i++) {
                int v = context[i];
                if (penalisedIn[v] != calls) {
                    penalisedIn[v] = calls;
                    scores[v] = scores[v] > 0 ? scores[v] / repetitionPenalty : scores[v] * repetitionPenalty;
                }
            }
        }
        int best = 0;
        for (int v = 1; v < V; v++) {
            if (scores[v] > scores[best]) {
                best = v;
            }
        }
        return best;
    }

    /** probs = the probabilities at the temperature left by top-k and top-p, not normalised. */
    private void probabilities(int V, int best) {
        // the k-th largest score is the cut-off; ties at the cut-off stay in
        float cutoff = Float.NEGATIVE_INFINITY;
        if (topK > 0 && topK < V) {
            System.arraycopy(scores, 0, sorted, 0, V);
            Arrays.sort(sorted, 0, V);
            cutoff = sorted[V - topK];
        }
        double sum = 0;
        float max = scores[best];
        for (int v = 0; v < V; v++) {
            float z = scores[v];
            probs[v] = z < cutoff ? 0f : (float) Math.exp((z - max) / temperature);
            sum += probs[v];
        }
        if (topP < 1) {
            nucleus(V, sum);
        }
    }

    /** Keeps the most likely tokens until their probabilities add up to topP of sum, and those as likely as the last. */
    private void nucleus(int V, double sum) {
        System.arraycopy(probs, 0, sorted, 0, V);
        Arrays.sort(sorted, 0, V);
        double target = topP * sum, mass = 0;
        float last = sorted[V - 1];
        for (int i = V - 1; i >= 0 && mass < target; i--) {
            last = sorted[i];
            mass += last;
        }
        for (int v = 0; v < V; v++) {
            if (probs[v] < last) {
                probs[v] = 0f;
            }
        }
    }
}
