package dev.emerald.model;

import dev.emerald.generate.Generator;
import dev.emerald.generate.Sampler;

import java.util.Arrays;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static dev.emerald.model.TinyModels.BLOCK;
import static dev.emerald.model.TinyModels.V;
import static dev.emerald.model.TinyModels.download;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The KV-cached forward and generation against the full recompute of the same model, on any backend: the
 * recompute runs the training forward over the whole context (itself checked against a naive reference and
 * PyTorch), so the two share only the weights and the layer code, not the attention.
 */
public final class KvCacheChecks {
    /** Logits are sums of unit-scale terms: relative error with floor 1 (see CpuVsCuda). */
    private static final double TOL = 1e-5, UNIT = 1;

    private KvCacheChecks() {
    }

    /** The logits (T, V) of a full forward over tokens[from, to). */
    private static float[] recomputed(LanguageModel m, int[] tokens, int from, int to) {
        m.forward(Arrays.copyOfRange(tokens, from, to), null, 1, to - from, false, 0);
        return download(m.backend(), m.logits());
    }

    /** Runs tokens[from, to) through the cache and checks their logits against the recompute over tokens[start, to). */
    private static void step(LanguageModel m, KvCache cache, int[] tokens, int start, int from, int to) {
        m.forward(Arrays.copyOfRange(tokens, from, to), to - from, cache);
        float[] cached = download(m.backend(), m.logits().slice(0, (long) (to - from) * V));
        float[] full = recomputed(m, tokens, start, to);
        assertClose("logits of positions " + (from - start) + ".." + (to - start - 1) + " cached",
                cached, Arrays.copyOfRange(full, (from - start) * V, (to - start) * V), TOL, UNIT);
        assertEquals(to - start, cache.length(), "positions cached");
    }

    /**
     * Prefill, a chunk at an offset, single steps up to block_size, then the window slid as the generator slides it
     * (cache emptied, the last tokens again from position 0) and more steps: each time the new positions' logits
     * equal the full recompute's over the window.
     */
    public static void cachedLogitsMatchRecompute(LanguageModel m) {
        int[] tokens = TinyModels.tokens(BLOCK + 12, 7);
        try (KvCache cache = m.newCache()) {
            step(m, cache, tokens, 0, 0, 7);
            step(m, cache, tokens, 0, 7, 10);
            for (int n = 10; n < BLOCK; n++) {
                step(m, cache, tokens, 0, n, n + 1);
            }
            cache.clear();
            int start = BLOCK - 13;
            step(m, cache, tokens, start, start, BLOCK + 1);
            for (int n = BLOCK + 1; n < tokens.length; n++) {
                step(m, cache, tokens, start, n, n + 1);
            }
        }
    }

    /**
     * Greedy tokens of the cached generator, which slides its window keeping keep tokens, against a naive loop
     * that recomputes the window the documented rule gives: the prompt's last block_size tokens at first; when a
     * token would make it longer than block_size, the last keep tokens before that token.
     */
    public static void greedyTokensFollowTheWindowRule(LanguageModel m, int promptLength, int keep) {
        int[] prompt = TinyModels.tokens(promptLength, 11);
        int newTokens = 2 * BLOCK + 5;
        int[] expected = Arrays.copyOf(prompt, promptLength + newTokens);
        int start = Math.max(0, promptLength - BLOCK);
        for (int n = promptLength; n < expected.length; n++) {
            if (n - start > BLOCK) {
                start = n - keep;
            }
            float[] logits = recomputed(m, expected, start, n);
            expected[n] = argmax(logits, (n - start - 1) * V);
        }
        int[] actual = new Generator(m, keep).generate(prompt, newTokens, new Sampler(0, 0, 0), t -> true);
        assertArrayEquals(expected, actual, "greedy tokens, prompt of " + promptLength + ", keep " + keep);
    }

    private static int argmax(float[] x, int from) {
        int best = 0;
        for (int v = 1; v < V; v++) {
            if (x[from + v] > x[from + best]) {
                best = v;
            }
        }
        return best;
    }
}
