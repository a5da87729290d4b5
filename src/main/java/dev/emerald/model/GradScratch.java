package dev.emerald.model;

import dev.emerald.tensor.Tensor;

/** Activation gradients of the backward pass: one set reused by every layer, carved from one buffer. */
final class GradScratch {
    final Tensor dres;   // (B, T, C) gradient of the residual stream
    final Tensor dnorm;  // (B, T, C) post-norm: gradient of resMlp, then of ln1
    final Tensor dproj;  // (B, T, C) gradient of a projection's output (after dropout's mask)
    final Tensor dln;    // (B, T, C) gradient a sub-block sends back to its input
    final Tensor datty;  // (B, T, C)
    final Tensor dqkv;   // (B, T, 3C)
    final Tensor datt;   // the backend's attention scratch
    final Tensor dfch;   // (B, T, 4C)

    /** Views for (B, T) over buf, which holds at least {@link #size} floats; datt holds attScratch. */
    GradScratch(Tensor buf, GptConfig c, int B, int T, long attScratch) {
        long bt = (long) B * T, C = c.nEmbd();
        long at = 0;
        dres = buf.slice(at, bt * C);
        dnorm = buf.slice(at += bt * C, bt * C);
        dproj = buf.slice(at += bt * C, bt * C);
        dln = buf.slice(at += bt * C, bt * C);
        datty = buf.slice(at += bt * C, bt * C);
        dqkv = buf.slice(at += bt * C, bt * 3 * C);
        datt = buf.slice(at += bt * 3 * C, attScratch);
        dfch = buf.slice(at + attScratch, bt * 4 * C);
    }

    static long size(GptConfig c, int B, int T, long attScratch) {
        long bt = (long) B * T;
        return bt * c.nEmbd() * 12 + attScratch;
    }
}
