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

    void backward(float lossScale);

    void zeroGrad();

    /** The logits (B, T, V) of the last forward without targets. */
    Tensor logits();

    void initWeights(long seed);
}
