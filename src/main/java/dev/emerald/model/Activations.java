package dev.emerald.model;

import dev.emerald.tensor.Tensor;

/**
 * What the forward pass keeps for the backward, carved from one buffer sized for (B, T). Pre-norm
 * and post-norm blocks keep the same set: ln1, ln2 are the layernorm outputs; resAtt = in + attention,
 * resMlp = (pre-norm: resAtt, post-norm: ln1) + MLP.
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
    private long cursor;

    /**
     * Views for (B, T) over buffer, which holds at least {@link #size} floats; each layer's att is the
     * backend's attention state of attState floats.
     */
    Activations(Tensor buffer, GptConfig c, int B, int T, long attState) {
        this.B = B;
        this.T = T;
        long bt = (long) B * T, C = c.nEmbd();
        this.buffer = buffer;
        encoded = take(bt * C);
        layers = new Layer[c.nLayer()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(take(bt * C), take(bt), take(bt), take(bt * 3 * C),
                    take(attState), take(bt * C), take(bt * C),
                    take(bt * C), take(bt), take(bt), take(bt * 4 * C), take(bt * 4 * C), take(bt * C));
        }
        proj = take(bt * C);
        lnf = take(bt * C);
        lnfMean = take(bt);
        lnfRstd = take(bt);
        logits = take(bt * c.vocabSize());
        losses = take(bt);
    }

    /** Floats needed for (B, T): the figure memory estimates use. */
    static long size(GptConfig c, int B, int T, long attState) {
        long bt = (long) B * T, C = c.nEmbd();
        long perLayer = bt * (16 * C + 4) + attState;
        return bt * C + c.nLayer() * perLayer + bt * C * 2 + bt * 2 + bt * c.vocabSize() + bt;
    }

    private Tensor take(long n) {
        Tensor t = buffer.slice(cursor, n);
        cursor += n;
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
