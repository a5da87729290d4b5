package dev.emerald.model;

import dev.emerald.tensor.Tensor;

/**
 * Typed views of a buffer laid out by {@link ParameterLayout}: used for the parameters and, with the
 * same layout, for their gradients. Optional parameters are null when the config has none.
 */
public final class Weights {

    /** One transformer block's parameters. */
    public record Layer(Tensor ln1w, Tensor ln1b, Tensor qkvw, Tensor qkvb, Tensor attprojw, Tensor attprojb,
                        Tensor ln2w, Tensor ln2b, Tensor fcw, Tensor fcb, Tensor fcprojw, Tensor fcprojb) {
    }

    public final Tensor all;
    public final Tensor wte;      // (V, C)
    public final Tensor wpe;      // (maxT, C)
    public final Layer[] layers;
    public final Tensor lnfw;     // (C)
    public final Tensor lnfb;     // (C)
    public final Tensor lmw;      // (V, C): wte itself when tied
    public final Tensor lmb;      // (V) or null

    public Weights(ParameterLayout layout, GptConfig c, Tensor all) {
        this.all = all;
        this.wte = view(layout, "transformer.wte.weight");
        this.wpe = view(layout, "transformer.wpe.weight");
        this.layers = new Layer[c.nLayer()];
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "transformer.h." + l + ".";
            layers[l] = new Layer(view(layout, h + "ln_1.weight"), view(layout, h + "ln_1.bias"),
                    view(layout, h + "attn.c_attn.weight"), view(layout, h + "attn.c_attn.bias"),
                    view(layout, h + "attn.c_proj.weight"), view(layout, h + "attn.c_proj.bias"),
                    view(layout, h + "ln_2.weight"), view(layout, h + "ln_2.bias"),
                    view(layout, h + "mlp.c_fc.weight"), view(layout, h + "mlp.c_fc.bias"),
                    view(layout, h + "mlp.c_proj.weight"), view(layout, h + "mlp.c_proj.bias"));
        }
        this.lnfw = view(layout, "transformer.ln_f.weight");
        this.lnfb = view(layout, "transformer.ln_f.bias");
        this.lmw = c.tieEmbeddings() ? wte : view(layout, "lm_head.weight");
        this.lmb = view(layout, "lm_head.bias");
    }

    private Tensor view(ParameterLayout layout, String name) {
        ParameterLayout.Entry e = layout.find(name);
        return e == null ? null : all.slice(e.offset(), e.size());
    }
}
