package dev.emerald.train;

import dev.emerald.backend.Backend;
import dev.emerald.model.LanguageModel;
import dev.emerald.tensor.Tensor;

/**
 * AdamW with decoupled weight decay on matrices only, after global-norm gradient clipping. The two
 * moment buffers mirror the parameter buffer's layout.
 */
public final class AdamW {
    static final float EPS = 1e-8f;

    /** One parameter's views in the four buffers, made once so the step allocates nothing. */
    private record Slot(Tensor param, Tensor grad, Tensor m, Tensor v, boolean decay) {
    }

    private final LanguageModel model;
    private final Tensor m;
    private final Tensor v;
    private final Slot[] slots;
    private int t;

    public AdamW(LanguageModel model) {
        this.model = model;
        Backend be = model.backend();
        this.m = be.alloc(model.layout().total());
        this.v = be.alloc(model.layout().total());
        this.slots = model.layout().entries().stream().map(e -> new Slot(
                model.parameters().slice(e.offset(), e.size()), model.gradients().slice(e.offset(), e.size()),
                m.slice(e.offset(), e.size()), v.slice(e.offset(), e.size()), e.decay())).toArray(Slot[]::new);
    }

    public Tensor m() {
        return m;
    }

    public Tensor v() {
        return v;
    }

    /** Steps taken so far (for bias correction). */
    public int t() {
        return t;
    }

    public void restore(int steps) {
        this.t = steps;
    }

    /** Clips the gradients to gradClip (0: no clipping), applies one update; returns the norm before clipping. */
    public float step(TrainConfig c, float lr) {
        Backend be = model.backend();
        Tensor grads = model.gradients();
        float norm = (float) Math.sqrt(be.sumSquares(grads));
        if (c.gradClip() > 0 && norm > c.gradClip()) {
            be.scale(grads, c.gradClip() / norm);
        }
        t++;
        float bc1 = (float) (1 - Math.pow(c.beta1(), t)), bc2 = (float) (1 - Math.pow(c.beta2(), t));
        for (Slot s : slots) {
            be.adamw(s.param, s.grad, s.m, s.v, lr, c.beta1(), c.beta2(), EPS, s.decay ? c.weightDecay() : 0f, bc1, bc2);
        }
        return norm;
    }
}
