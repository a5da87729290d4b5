package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;

/**
 * LoRA (Hu et al., 2021) on the four projections of every block: out (N, OC) += scale * (x A^T) B^T with
 * A (r, C) and B (OC, r), scale = alpha / r. The adapters are views into a buffer of {@link LoraModel}.
 */
public final class Lora {

    /** Rank r and alpha; the adapter path is scaled by alpha / r. */
    public record Settings(int rank, float alpha) {
        public float scale() {
            return alpha / rank;
        }
    }

    /** One projection's A (r, C) and B (OC, r), or their gradients. */
    private record Pair(Tensor a, Tensor b) {
    }

    private final Backend backend;
    private final GptConfig config;
    private final Settings settings;
    private final Pair[][] params, grads; // [layer][linear]
    /** Per forward: (nLayer, 4, N, r) scale * x A^T of every projection, for the backward; then (N, 4C) scratch. */
    private Tensor acts;

    /** The adapters of layout (see {@link ParameterLayout#lora}) in params, their gradients in grads. */
    Lora(Backend backend, GptConfig config, Settings settings, ParameterLayout layout, Tensor params, Tensor grads) {
        this.backend = backend;
        this.config = config;
        this.settings = settings;
        this.params = views(config, layout, params);
        this.grads = views(config, layout, grads);
    }

    private static Pair[][] views(GptConfig c, ParameterLayout layout, Tensor buffer) {
        Pair[][] pairs = new Pair[c.nLayer()][Linear.PER_BLOCK.size()];
        for (int l = 0; l < c.nLayer(); l++) {
            for (Linear linear : Linear.PER_BLOCK) {
                ParameterLayout.Entry a = layout.find(ParameterLayout.loraA(c, l, linear));
                ParameterLayout.Entry b = layout.find(ParameterLayout.loraB(c, l, linear));
                pairs[l][linear.ordinal()] = new Pair(buffer.slice(a.offset(), a.size()), buffer.slice(b.offset(), b.size()));
            }
        }
        return pairs;
    }

    public Settings settings() {
        return settings;
    }

    /** out (N, OC) += scale * (inp A^T) B^T, keeping u = scale * inp A^T (N, r) for the backward. */
    void forward(Tensor out, Tensor inp, int l, Linear linear, int N, int C, int OC) {
        ensure(N);
        int r = settings.rank();
        Pair w = params[l][linear.ordinal()];
        Tensor u = u(l, linear, N), tmp = scratch(N, OC);
        backend.matmulForward(u, inp, w.a(), null, N, C, r);
        backend.scale(u, settings.scale());
        backend.matmulForward(tmp, u, w.b(), null, N, r, OC);
        backend.accumulate(out, tmp, N * OC);
    }

    /** dB += dout^T u; du = dout B; dA += scale * du^T inp; dinp (N, C) += scale * du A. */
    void backward(Tensor dinp, Tensor dout, Tensor inp, int l, Linear linear, int N, int C, int OC) {
        int r = settings.rank();
        Pair w = params[l][linear.ordinal()], g = grads[l][linear.ordinal()];
        Tensor du = u(config.nLayer(), Linear.QKV, N); // the row past the last layer's: free for this
        backend.matmulBackward(du, g.b(), null, dout, u(l, linear, N), w.b(), N, r, OC);
        backend.scale(du, settings.scale());
        Tensor dx = scratch(N, C);
        backend.matmulBackward(dx, g.a(), null, du, inp, w.a(), N, C, r);
        backend.accumulate(dinp, dx, N * C);
    }

    private Tensor u(int l, Linear linear, int N) {
        long r = settings.rank();
        return acts.slice(((long) l * Linear.PER_BLOCK.size() + linear.ordinal()) * N * r, N * r);
    }

    private Tensor scratch(int N, int width) {
        return acts.slice(uSize(N), (long) N * width);
    }

    /** The u of every projection, and one more for du. */
    private long uSize(int N) {
        return ((long) config.nLayer() * Linear.PER_BLOCK.size() + 1) * N * settings.rank();
    }

    private void ensure(int N) {
        long need = uSize(N) + (long) N * 4 * config.nEmbd();
        if (acts == null || acts.size() < need) {
            if (acts != null) {
                backend.free(acts);
            }
            acts = backend.alloc(need);
        }
    }
}
