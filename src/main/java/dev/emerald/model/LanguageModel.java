package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;

/** What training and generation need of a model: the GPT, or the bigram baseline. */
public interface LanguageModel {

    Backend backend();

    int vocabSize();

    /** The longest context the model takes. */
    int blockSize();

    ParameterLayout layout();

    /** All parameters, in the layout's order. */
    Tensor parameters();

    /** Their gradients, same layout. */
    Tensor gradients();

    /** See {@link Gpt#forward}. */
    float forward(int[] inputs, int[] targets, int B, int T, boolean training, long dropoutSeed);

    /** An empty KV cache for one sequence, on the model's backend: see {@link #forward(int[], int, KvCache)}. */
    KvCache newCache();

    /**
     * Runs T more tokens of one sequence (batch 1), at positions cache.length() onwards, over the keys and values
     * cached for the positions before, and adds theirs to the cache; the logits (T, V) are then readable through
     * {@link #logits}. A prompt's tokens go in one call (prefill), then one token per call. cache.length() + T
     * must not pass block_size.
     */
    void forward(int[] tokens, int T, KvCache cache);

    void backward(float lossScale);

    void zeroGrad();

    /** The logits (B, T, V) of the last forward without targets. */
    Tensor logits();

    void initWeights(long seed);
}
