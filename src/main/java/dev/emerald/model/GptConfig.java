package dev.emerald.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.emerald.util.UserException;

/**
 * The shape of a GPT. Two families share one code path: {@code gpt2} (pre-norm, GELU, biases, tied
 * LM head, scaled residual init) and {@code course} (post-norm blocks, ReLU, no q/k/v bias, untied LM
 * head with bias), chosen by the flags below.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GptConfig(
        int vocabSize,
        int blockSize,
        int nLayer,
        int nHead,
        int nEmbd,
        float dropout,
        boolean prenorm,
        Activation activation,
        boolean qkvBias,
        boolean tieEmbeddings,
        boolean lmHeadBias,
        boolean scaledResidualInit) {

    public enum Activation { gelu, relu }

    public GptConfig {
        check(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        check(blockSize > 0, "block_size must be positive, got " + blockSize);
        check(nLayer > 0, "n_layer must be positive, got " + nLayer);
        check(nHead > 0, "n_head must be positive, got " + nHead);
        check(nEmbd > 0 && nEmbd % nHead == 0, "n_embd (" + nEmbd + ") must be a positive multiple of n_head (" + nHead + ")");
        check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
        check(activation != null, "activation must be gelu or relu");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new UserException("invalid model config: " + message);
        }
    }

    public int headSize() {
        return nEmbd / nHead;
    }

    /**
     * Floating-point operations of one training step (forward and backward) on B sequences of T tokens,
     * counted as nanoGPT's MFU estimate does: 6 per token and matmul weight (q/k/v, projections, MLP, LM
     * head; 3 matmuls of 2 FLOPs each), and 12 * n_layer * n_embd * T per token for attention's two
     * products over the whole T x T, as though it were not causal.
     */
    public double trainingFlops(int B, int T) {
        double tokens = (double) B * T;
        double matmulWeights = 12.0 * nLayer * nEmbd * nEmbd + (double) vocabSize * nEmbd;
        return tokens * (6 * matmulWeights + 12.0 * nLayer * nEmbd * T);
    }

    public GptConfig withVocabSize(int v) {
        return new GptConfig(v, blockSize, nLayer, nHead, nEmbd, dropout, prenorm, activation, qkvBias, tieEmbeddings, lmHeadBias, scaledResidualInit);
    }

    public GptConfig withSizes(int block, int layers, int heads, int embd, float drop) {
        return new GptConfig(vocabSize, block, layers, heads, embd, drop, prenorm, activation, qkvBias, tieEmbeddings, lmHeadBias, scaledResidualInit);
    }
}
