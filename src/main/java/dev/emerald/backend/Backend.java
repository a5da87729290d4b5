package dev.emerald.backend;

import dev.emerald.tensor.Tensor;

import java.util.Optional;

/**
 * Every op the model needs, forward next to backward, in the style of llm.c: raw ranges plus sizes.
 * Backward ops accumulate (+=) into parameter gradients and into activation gradients that have
 * more than one consumer, and say so where they do. Token ids live on the host and are passed as
 * {@code int[]}; a device backend copies them itself.
 */
public interface Backend extends AutoCloseable {

    String name();

    /** A new zero-filled tensor of n floats. */
    Tensor alloc(long n);

    /**
     * Gives back a tensor that {@link #alloc} returned, once nothing uses it: device memory is not
     * garbage-collected. Java heap backends need do nothing.
     */
    default void free(Tensor t) {
    }

    void upload(Tensor dst, float[] src);

    /** A new zero-filled tensor of n int8 values (quantized weights), for {@link #matmulForwardInt8} only. */
    Tensor allocInt8(long n);

    /** Copies src into an int8 tensor of {@link #allocInt8}. */
    void uploadInt8(Tensor dst, byte[] src);

    void download(Tensor src, float[] dst);

    void zero(Tensor t);

    void copy(Tensor dst, Tensor src);

    // ---- embeddings -------------------------------------------------------------------------

    /** out (B, T, C) = wte[tokens] + wpe[t]; wte (V, C), wpe (maxT, C). */
    void encoderForward(Tensor out, int[] tokens, Tensor wte, Tensor wpe, int B, int T, int C);

    /** dwte += scatter(dout), dwpe += sum over B of dout. */
    void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, int[] tokens, int B, int T, int C);

    // ---- layernorm --------------------------------------------------------------------------

    /** out (N, C) = (inp - mean) * rstd * w + b, saving mean (N) and rstd (N); eps 1e-5. */
    void layernormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor w, Tensor b, int N, int C);

    /** dinp +=, dw +=, db += (the accumulating form, as dinp often is a residual stream). */
    void layernormBackward(Tensor dinp, Tensor dw, Tensor db, Tensor dout, Tensor inp, Tensor w,
                           Tensor mean, Tensor rstd, int N, int C);

    // ---- matmul -----------------------------------------------------------------------------

    /** out (N, OC) = inp (N, C) @ w (OC, C)^T + bias (OC); bias may be null. */
    void matmulForward(Tensor out, Tensor inp, Tensor w, Tensor bias, int N, int C, int OC);

    /**
     * out (N, OC) = inp (N, C) @ (scales * wq)^T + bias (OC), with wq (OC, C) int8 (from {@link #allocInt8}) and one
     * scale per row of wq (OC): the forward of a linear layer whose weights are quantized; bias may be null.
     */
    void matmulForwardInt8(Tensor out, Tensor inp, Tensor wq, Tensor scales, Tensor bias, int N, int C, int OC);

    /** dinp (N, C) = dout @ w (overwritten); dw (OC, C) += dout^T @ inp; dbias (OC) += colsum(dout), may be null. */
    void matmulBackward(Tensor dinp, Tensor dw, Tensor dbias, Tensor dout, Tensor inp, Tensor w, int N, int C, int OC);

    // ---- attention --------------------------------------------------------------------------

    /**
     * Causal multi-head self-attention. qkv (B, T, 3C) holds q, k, v side by side; heads of size C/NH;
     * out (B, T, C). Dropout p on the probabilities uses the counter-based stream {@code (seed, stream)}:
     * element (b, h, t, t2) is kept when {@code DropoutRng.uniform(seed, stream, ((b*NH + h)*T + t)*T + t2) >= p}.
     * state, of {@link #attentionStateSize} floats, receives what the backend's backward needs: the
     * probabilities before dropout (B, NH, T, T) for an unfused attention, each row's logsumexp
     * (B, NH, T) for a fused one that recomputes them.
     */
    void attentionForward(Tensor out, Tensor state, Tensor qkv, int B, int T, int C, int NH,
                          float dropout, long seed, long stream);

    /**
     * dqkv (B, T, 3C) = (overwritten), given dout (B, T, C) and the forward's out, qkv and state;
     * scratch holds {@link #attentionScratchSize} floats.
     */
    void attentionBackward(Tensor dqkv, Tensor scratch, Tensor dout, Tensor out, Tensor qkv, Tensor state,
                           int B, int T, int C, int NH, float dropout, long seed, long stream);

    /**
     * Keeps the keys and values of T new positions of a sequence, for generation: keys (T, C) and values (T, C), the
     * cache's rows at those positions, receive the k and v parts of qkv (T, 3C).
     */
    void kvCacheWrite(Tensor keys, Tensor values, Tensor qkv, int T, int C);

    /**
     * Causal attention of T new positions pos .. pos + T - 1 of one sequence over its cached keys and values
     * (pos + T, C), theirs included (see {@link #kvCacheWrite}): out (T, C) from the q part of qkv (T, 3C), each query
     * seeing the keys up to its own position. No dropout and no state: generation only.
     */
    void cachedAttentionForward(Tensor out, Tensor qkv, Tensor keys, Tensor values, int pos, int T, int C, int NH);

    /** Floats of the state {@link #attentionForward} saves: by default the probabilities, B * NH * T * T. */
    default long attentionStateSize(int B, int T, int C, int NH) {
        return (long) B * NH * T * T;
    }

    /** Floats of {@link #attentionBackward}'s scratch: by default their gradient, B * NH * T * T. */
    default long attentionScratchSize(int B, int T, int C, int NH) {
        return (long) B * NH * T * T;
    }

    // ---- pointwise --------------------------------------------------------------------------

    /** GELU, tanh approximation. */
    void geluForward(Tensor out, Tensor inp, int n);

    /** dinp = dout * gelu'(inp) (overwritten). */
    void geluBackward(Tensor dinp, Tensor inp, Tensor dout, int n);

    void reluForward(Tensor out, Tensor inp, int n);

    /** dinp = dout * (inp > 0) (overwritten). */
    void reluBackward(Tensor dinp, Tensor inp, Tensor dout, int n);

    /** out = a + b. */
    void residualForward(Tensor out, Tensor a, Tensor b, int n);

    /** dst += src. */
    void accumulate(Tensor dst, Tensor src, int n);

    /** In place: x = mask(i) ? x / (1 - p) : 0 with mask from {@link DropoutRng}; the backward is the same call. */
    void dropout(Tensor x, int n, float p, long seed, long stream);

    // ---- loss -------------------------------------------------------------------------------

    /**
     * Fused softmax + cross-entropy. Turns logits (N, V) into probabilities in place and writes each
     * row's loss into losses (N); rows whose target is negative are ignored (loss 0).
     */
    void crossEntropyForward(Tensor losses, Tensor logits, int[] targets, int N, int V);

    /** Given probabilities from the forward, dlogits (N, V) = (probs - onehot) * dloss, 0 for ignored rows. */
    void crossEntropyBackward(Tensor dlogits, Tensor probs, int[] targets, float dloss, int N, int V);

    // ---- optimizer --------------------------------------------------------------------------

    /** Sum of squares of t, in double. */
    double sumSquares(Tensor t);

    /** t *= s. */
    void scale(Tensor t, float s);

    /**
     * One AdamW step on a parameter range: m, v moments; decoupled weight decay wd (0 for biases,
     * norms and such); bc1 = 1 - beta1^step, bc2 = 1 - beta2^step.
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float wd, float bc1, float bc2);

    // ---- mixed precision --------------------------------------------------------------------

    /**
     * The precision of the model's GEMMs here. With {@link Precision#BF16}, tensors from
     * {@link #allocBf16} may be given as matmulForward's and matmulBackward's inp and w (the GEMM then takes
     * bf16 operands, casting a float inp or dout itself, and accumulates and writes in float) and as the out
     * of layernormForward, geluForward and reluForward (the float result rounded to bf16).
     */
    default Precision precision() {
        return Precision.FP32;
    }

    /** A new zero-filled tensor of n bf16 values, on a backend whose {@link #precision} is BF16. */
    default Tensor allocBf16(long n) {
        throw new UnsupportedOperationException(name() + " has no bf16 tensors");
    }

    /** dst (bf16) = src rounded to the nearest bf16, ties to even; NaN stays NaN. */
    default void castBf16(Tensor dst, Tensor src) {
        throw new UnsupportedOperationException(name() + " has no bf16 tensors");
    }

    /** The memory of the device the backend runs on, where it has one that reports it. */
    default Optional<DeviceMemory> deviceMemory() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
