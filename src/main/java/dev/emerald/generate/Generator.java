package dev.emerald.generate;

import dev.emerald.model.KvCache;
import dev.emerald.model.LanguageModel;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * Autoregressive generation: samples each next token from the model's logits at the last position and hands it to
 * a callback as soon as it exists.
 * <p>
 * With the KV cache (the default), the prompt's last block_size tokens run in one pass (prefill), then each new
 * token runs alone over the cached keys and values. The model's position embeddings are absolute, so once the
 * cache is full the window slides: the cache is emptied and the last {@code keep} tokens (block_size / 2 by
 * default) run again at positions 0 .. keep - 1, after which single steps go on. The context thus holds between
 * keep and block_size tokens, against always block_size for the course's loop; keep = block_size gives the
 * course's context at the cost of a full pass per token once the window is full. {@link #recomputing} is that
 * loop: the whole context (the last block_size tokens) runs again for every token.
 * <p>
 * Thread-safe: make one Generator per model and share it. Each token is computed under a fair lock, so
 * generations running on many threads take turns token by token and none waits for another to finish; each has
 * its own cache.
 */
public final class Generator {
    private final LanguageModel model;
    private final boolean cached;
    private final int keep;
    private final ReentrantLock lock = new ReentrantLock(true);

    /** With the KV cache, keeping block_size / 2 tokens when the window slides. */
    public Generator(LanguageModel model) {
        this(model, Math.max(1, model.blockSize() / 2));
    }

    /** With the KV cache, keeping keep tokens (1 .. block_size) when the window slides. */
    public Generator(LanguageModel model, int keep) {
        this(model, true, keep);
        if (keep < 1 || keep > model.blockSize()) {
            throw new IllegalArgumentException("keep " + keep + " is outside 1 .. block_size " + model.blockSize());
        }
    }

    private Generator(LanguageModel model, boolean cached, int keep) {
        this.model = model;
        this.cached = cached;
        this.keep = keep;
    }

    /** The course's generation loop, the baseline of the KV cache: the whole context runs again for every token. */
    public static Generator recomputing(LanguageModel model) {
        return new Generator(model, false, model.blockSize());
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
        int V = model.vocabSize();
        int[] tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        float[] logits = new float[V];
        KvCache cache = null;
        try {
            for (int n = prompt.length; n < tokens.length; n++) {
                lock.lock();
                try {
                    if (cached && cache == null) {
                        cache = model.newCache();
                    }
                    int T = run(tokens, n, cache);
                    model.backend().download(model.logits().slice((long) (T - 1) * V, V), logits);
                } finally {
                    lock.unlock();
                }
                tokens[n] = sampler.sample(logits, tokens, n);
                if (!onToken.test(tokens[n])) {
                    return Arrays.copyOf(tokens, n + 1);
                }
            }
            return tokens;
        } finally {
            if (cache != null) {
                lock.lock();
                try {
                    cache.close();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Runs the model so that its last row of logits predicts tokens[n]; returns the rows it ran. */
    private int run(int[] tokens, int n, KvCache cache) {
        int block = model.blockSize();
        if (cache == null) {
            int T = Math.min(n, block);
            model.forward(Arrays.copyOfRange(tokens, n - T, n), null, 1, T, false, 0);
            return T;
        }
        int from;
        if (cache.length() == 0) {
            from = Math.max(0, n - block); // prefill: the prompt's last block_size tokens
        } else if (cache.length() == block) {
            cache.clear(); // the window slides: its last keep tokens again, at positions 0 .. keep - 1
            from = n - keep;
        } else {
            from = n - 1;
        }
        model.forward(Arrays.copyOfRange(tokens, from, n), n - from, cache);
        return n - from;
    }
}
