package dev.emerald.model;

import dev.emerald.tensor.Tensor;

/**
 * What the forward pass keeps for the backward, carved from one buffer sized for (B, T). Pre-norm
 * and post-norm blocks keep the same set: ln1, ln2 are the layernorm outputs; resAtt = in + attention,
 * resMlp = (pre-norm: resAtt, post-norm: ln1) + MLP.
 * <p>
 * In mixed precision (a second buffer of bf16 values) the tensors that only GEMMs read are bf16: fchAct
 * and lnf, and ln1 and ln2 in pre-norm blocks (post-norm ones are on the residual stream, so stay float).
 * The rest stays float: the residual stream, layernorm statistics, the attention's q, k, v, state and
 * output (the attention runs in float), fch (GELU's backward reads it), logits and losses.
 */
final class Activations {

    record Layer(Tensor ln1, Tensor ln1Mean, Tensor ln1Rstd, Tensor qkv, Tensor att, Tensor atty, Tensor resAtt,
                 Tensor ln2, Tensor ln2Mean, Tensor ln2Rstd, Tensor fch, Tensor fchAct, Tensor resMlp) {
    }

    final int B, T;
    final Tensor encoded;   // (B, T, C)
    final Layer[] layers;
    final Tensor proj;      // (B, T, C) scratch: attproj / fcproj output before the residual add
    final Tensor lnf;       // (B, T, C)
    final Tensor lnfMean;   // (B, T)
    final Tensor lnfRstd;   // (B, T)
    final Tensor logits;    // (B, T, V): probabilities after the loss, dlogits in the backward
    final Tensor losses;    // (B, T)

    private final Tensor buffer;
    private final Tensor halves;
    private long cursor, halfCursor;

    /**
     * Views for (B, T) over buffer, which holds at least {@link #size} floats, and halves, null or at least
     * {@link #halfSize} bf16 values (mixed precision); each layer's att is the backend's attention state of
     * attState floats.
     */
    Activations(Tensor buffer, Tensor halves, GptConfig c, int B, int T, long attState) {
        this.B = B;
        this.T = T;
        long bt = (long) B * T, C = c.nEmbd();
        this.buffer = buffer;
        this.halves = halves;
        boolean halfNorms = halves != null && c.prenorm();
        encoded = take(bt * C);
        layers = new Layer[c.nLayer()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(take(bt * C, halfNorms), take(bt), take(bt), take(bt * 3 * C),
                    take(attState), take(bt * C), take(bt * C),
                    take(bt * C, halfNorms), take(bt), take(bt), take(bt * 4 * C), take(bt * 4 * C, halves != null),
                    take(bt * C));
        }
        proj = take(bt * C);
        lnf = take(bt * C, halves != null);
        lnfMean = take(bt);
        lnfRstd = take(bt);
        logits = take(bt * c.vocabSize());
        losses = take(bt);
    }

    /** Floats needed for (B, T), with bf16 activations or not: the figure memory estimates use. */
    static long size(GptConfig c, int B, int T, long attState, boolean bf16) {
        long bt = (long) B * T, C = c.nEmbd();
        long perLayer = bt * (16 * C + 4) + attState;
        return bt * C + c.nLayer() * perLayer + bt * C * 2 + bt * 2 + bt * c.vocabSize() + bt - (bf16 ? halfSize(c, B, T) : 0);
    }

    /** bf16 values needed for (B, T) in mixed precision: ln1 and ln2 (pre-norm), fchAct, lnf. */
    static long halfSize(GptConfig c, int B, int T) {
        long bt = (long) B * T, C = c.nEmbd();
        return c.nLayer() * bt * ((c.prenorm() ? 2 * C : 0) + 4 * C) + bt * C;
    }

    private Tensor take(long n) {
        Tensor t = buffer.slice(cursor, n);
        cursor += n;
        return t;
    }

    /** n values: bf16 ones when half, else floats. */
    private Tensor take(long n, boolean half) {
        if (!half) {
            return take(n);
        }
        Tensor t = halves.slice(halfCursor, n);
        halfCursor += n;
        return t;
    }

    /** The input of layer l: the embeddings, or the previous block's output. */
    Tensor layerInput(int l, boolean prenorm) {
        return l == 0 ? encoded : layerOutput(l - 1, prenorm);
    }

    Tensor layerOutput(int l, boolean prenorm) {
        return prenorm ? layers[l].resMlp : layers[l].ln2;
    }
}
