package dev.emerald.generate;

import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler's distribution and draws against a naive reference written from {@link SamplingSettings}' description. */
class SamplerTest {
    private static final int V = 50;

    /**
     * The naive reference, in double: the CTRL penalty once per distinct token seen, the temperature's softmax over the
     * tokens scoring at least the k-th best, then the most likely of those, in order, until their mass reaches top-p
     * (and those as likely as the last kept); greedy is the first token of the highest score.
     */
    private static double[] reference(float[] logits, int[] context, int n, SamplingSettings s) {
        double[] z = new double[V];
        for (int v = 0; v < V; v++) {
            z[v] = logits[v];
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            seen.add(context[i]);
        }
        for (int v : seen) {
            z[v] = z[v] > 0 ? z[v] / s.repetitionPenalty() : z[v] * s.repetitionPenalty();
        }
        List<Integer> byScore = IntStream.range(0, V).boxed().sorted(Comparator.comparingDouble((Integer v) -> -z[v])).toList();
        double[] p = new double[V];
        if (s.temperature() == 0) {
            p[byScore.get(0)] = 1; // the sort is stable: the first of equals
            return p;
        }
        double cutoff = s.topK() > 0 && s.topK() < V ? z[byScore.get(s.topK() - 1)] : Double.NEGATIVE_INFINITY;
        List<Integer> candidates = byScore.stream().filter(v -> z[v] >= cutoff).toList();
        for (int v : candidates) {
            p[v] = Math.exp((z[v] - z[byScore.get(0)]) / s.temperature());
        }
        normalise(p);
        if (s.topP() < 1) {
            List<Integer> byProbability = candidates.stream().sorted(Comparator.comparingDouble((Integer v) -> -p[v])).toList();
            double mass = 0, last = 0;
            for (int v : byProbability) {
                if (mass >= s.topP()) {
                    break;
                }
                last = p[v];
                mass += p[v];
            }
            for (int v = 0; v < V; v++) {
                if (p[v] < last) {
                    p[v] = 0;
                }
            }
            normalise(p);
        }
        return p;
    }

    private static void normalise(double[] p) {
        double sum = Arrays.stream(p).sum();
        for (int v = 0; v < p.length; v++) {
            p[v] /= sum;
        }
    }

    private static final List<SamplingSettings> SETTINGS = List.of(
            settings(1f, 0, 1f, 1f), settings(0.7f, 0, 1f, 1f), settings(1f, 5, 1f, 1f), settings(1.3f, 0, 0.8f, 1f),
            settings(0.9f, 10, 0.6f, 1.5f), settings(1f, 0, 1f, 2f), settings(0f, 0, 1f, 1.2f), settings(0f, 0, 1f, 1f),
            settings(1f, 0, 1e-3f, 1f), settings(2f, 1, 1f, 1f), settings(0.5f, 49, 0.95f, 0.8f));

    private static SamplingSettings settings(float temperature, int topK, float topP, float penalty) {
        return SamplingSettings.DEFAULTS.withTemperature(temperature).withTopK(topK).withTopP(topP).withRepetitionPenalty(penalty);
    }

    private static float[] logits(Rng rng, double scale) {
        float[] x = new float[V];
        for (int v = 0; v < V; v++) {
            x[v] = (float) (scale * rng.nextGaussian());
        }
        return x;
    }

    private static int[] context(Rng rng, int n) {
        int[] c = new int[n + 3]; // past n: tokens that must not count
        for (int i = 0; i < c.length; i++) {
            c[i] = rng.nextInt(V / 2); // repeats
        }
        return c;
    }

    /** The weights normalised are the reference distribution: the same tokens left, the same probabilities. */
    @Test
    void distributionIsTheReferences() {
        Rng rng = Rng.of(1);
        for (SamplingSettings s : SETTINGS) {
            for (int rep = 0; rep < 20; rep++) {
                float[] logits = logits(rng, 1 + rep % 4);
                int n = rng.nextInt(30);
                int[] context = context(rng, n);
                float[] before = logits.clone();
                float[] w = new Sampler(s).weights(logits, context, n);
                double sum = 0;
                for (int v = 0; v < V; v++) {
                    sum += w[v];
                }
                double[] expected = reference(logits, context, n, s);
                for (int v = 0; v < V; v++) {
                    assertEquals(expected[v] == 0, w[v] == 0, s + ": whether token " + v + " is left");
                    assertEquals(expected[v], w[v] / sum, 1e-6, s + ": probability of token " + v);
                }
                assertArrayEquals(before, logits, "the logits are left unchanged");
            }
        }
    }

    /** Logits tied at the k-th place all stay in. */
    @Test
    void tiesAtTheTopKCutOffStayIn() {
        float[] logits = new float[V];
        logits[3] = 2;
        logits[7] = 1;
        logits[9] = 1;
        logits[20] = 1;
        SamplingSettings s = settings(1f, 2, 1f, 1f);
        float[] w = new Sampler(s).weights(logits, new int[0], 0);
        assertArrayEquals(reference(logits, new int[0], 0, s), normalised(w), 1e-6);
        assertTrue(w[3] > 0 && w[7] > 0 && w[9] > 0 && w[20] > 0 && w[0] == 0);
    }

    private static double[] normalised(float[] w) {
        double[] p = new double[V];
        for (int v = 0; v < V; v++) {
            p[v] = w[v];
        }
        normalise(p);
        return p;
    }

    /** Over many seeded draws, each token comes as often as its reference probability says, within 5 standard deviations. */
    @Test
    void drawsFollowTheReferenceDistribution() {
        Rng rng = Rng.of(2);
        int draws = 40_000;
        for (SamplingSettings s : List.of(settings(1f, 0, 1f, 1f), settings(0.8f, 8, 0.9f, 1.3f), settings(1.2f, 0, 0.7f, 1f))) {
            float[] logits = logits(rng, 1.5);
            int[] context = context(rng, 12);
            double[] p = reference(logits, context, 12, s);
            int[] counts = new int[V];
            Sampler sampler = new Sampler(s.withSeed(7));
            for (int i = 0; i < draws; i++) {
                counts[sampler.sample(logits, context, 12)]++;
            }
            for (int v = 0; v < V; v++) {
                double sd = Math.sqrt(draws * p[v] * (1 - p[v]));
                assertEquals(draws * p[v], counts[v], 5 * sd + 1e-9, s + ": draws of token " + v);
            }
        }
    }

    @Test
    void greedyTakesTheBestScoreAfterThePenalty() {
        float[] logits = new float[V];
        logits[4] = 3f;  // seen: 3 / 2 = 1.5
        logits[5] = 2f;  // unseen: stays 2
        logits[6] = -1f; // seen: -2
        int[] context = {4, 6, 4};
        assertEquals(5, new Sampler(settings(0f, 0, 1f, 2f)).sample(logits, context, 3));
        assertEquals(4, new Sampler(settings(0f, 0, 1f, 1f)).sample(logits, context, 3));
    }

    @Test
    void aSeedGivesOneSequence() {
        float[] logits = logits(Rng.of(3), 1);
        int[] a = draws(new Sampler(settings(1f, 0, 0.9f, 1.1f).withSeed(11)), logits);
        assertArrayEquals(a, draws(new Sampler(settings(1f, 0, 0.9f, 1.1f).withSeed(11)), logits));
        assertFalse(Arrays.equals(a, draws(new Sampler(settings(1f, 0, 0.9f, 1.1f).withSeed(12)), logits)));
    }

    private static int[] draws(Sampler sampler, float[] logits) {
        int[] context = {1, 2, 3};
        int[] x = new int[50];
        for (int i = 0; i < x.length; i++) {
            x[i] = sampler.sample(logits, context, 3);
        }
        return x;
    }
}
