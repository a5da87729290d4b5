package dev.emerald.generate;

import dev.emerald.model.LanguageModel;
import dev.emerald.tensor.Tensor;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Autoregressive generation: runs the model on the last block_size tokens, samples the next from the
 * final position's logits, and hands each new token to a callback as soon as it exists.
 */
public final class Generator {
    private final LanguageModel model;

    public Generator(LanguageModel model) {
        this.model = model;
    }

    /** Appends maxNewTokens tokens to prompt (which must not be empty) and returns the whole sequence. */
    public int[] generate(int[] prompt, int maxNewTokens, Sampler sampler, IntConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token");
        }
        int V = model.vocabSize(), block = model.blockSize();
        int[] tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        float[] logits = new float[V];
        for (int n = prompt.length; n < tokens.length; n++) {
            int T = Math.min(n, block);
            int[] context = Arrays.copyOfRange(tokens, n - T, n);
            model.forward(context, null, 1, T, false, 0);
            Tensor all = model.logits();
            model.backend().download(all.slice((long) (T - 1) * V, V), logits);
            tokens[n] = sampler.sample(logits, 0, V);
            onToken.accept(tokens[n]);
        }
        return tokens;
    }
}
