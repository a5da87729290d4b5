package dev.emerald.model;

import dev.emerald.tensor.Tensor;

import java.util.List;

/** The GPT's linear layers, whose weight matrices int8 inference quantizes: four per block, then the LM head. */
public enum Linear {
    QKV("attn.c_attn.weight"), ATTPROJ("attn.c_proj.weight"), FC("mlp.c_fc.weight"), FCPROJ("mlp.c_proj.weight"), LM_HEAD(null);

    /** The linear layers of each block, in the order of their matrices in {@link Int8Layout}. */
    public static final List<Linear> PER_BLOCK = List.of(QKV, ATTPROJ, FC, FCPROJ);

    private final String suffix;

    Linear(String suffix) {
        this.suffix = suffix;
    }

    /** The weight's parameter name in block l (the LM head's is the token embedding when tied; l is ignored). */
    public String weightName(GptConfig c, int l) {
        if (this == LM_HEAD) {
            return c.tieEmbeddings() ? "transformer.wte.weight" : "lm_head.weight";
        }
        return "transformer.h." + l + "." + suffix;
    }

    /** The float weight (OC, C) among w, for block l. */
    public Tensor weight(Weights w, int l) {
        return switch (this) {
            case QKV -> w.layers[l].qkvw();
            case ATTPROJ -> w.layers[l].attprojw();
            case FC -> w.layers[l].fcw();
            case FCPROJ -> w.layers[l].fcprojw();
            case LM_HEAD -> w.lmw;
        };
    }
}
