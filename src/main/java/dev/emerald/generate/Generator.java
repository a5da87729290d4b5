package dev.emerald.generate;

import dev.emerald.model.LanguageModel;
import dev.emerald.tensor.Tensor;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * Autoregressive generation: runs the model on the last block_size tokens, samples the next from the
 * final position's logits, and hands each new token to a callback as soon as it exists.
 * <p>
 * Thread-safe: make one Generator per model and share it. Each token is computed under a fair lock, so
 * generations running on many threads take turns token by token and none waits for another to finish.
 */
public final class Generator {
    private final LanguageModel model;
    private final ReentrantLock lock = new ReentrantLock(true);

    public Generator(LanguageModel model) {
        this.model = model;
    }

    public LanguageModel model() {
        return model;
    }

    /**
     * Appends up to maxNewTokens tokens to prompt (which must not be empty) and returns the whole sequence;
     * stops early, after the token, when onToken returns false.
     */
    public int[] generate(int[] prompt, int maxNewTokens, Sampler sampler, IntPredicate onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token");
        }
        int V = model.vocabSize(), block = model.blockSize();
        int[] tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        float[] logits = new float[V];
        for (int n = prompt.length; n < tokens.length; n++) {
            int T = Math.min(n, block);
            int[] context = Arrays.copyOfRange(tokens, n - T, n);
            lock.lock();
            try {
                model.forward(context, null, 1, T, false, 0);
                Tensor all = model.logits();
                model.backend().download(all.slice((long) (T - 1) * V, V), logits);
            } finally {
                lock.unlock();
            }
            tokens[n] = sampler.sample(logits, 0, V);
            if (!onToken.test(tokens[n])) {
                return Arrays.copyOf(tokens, n + 1);
            }
        }
        return tokens;
    }
}
