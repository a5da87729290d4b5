package dev.emerald.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each parameter of a GPT lives in the one parameter buffer, in nanoGPT's state-dict names
 * (weights of linear layers are (out, in), as in PyTorch's nn.Linear).
 */
public final class ParameterLayout {

    public enum Init { NORMAL, RESIDUAL, ZEROS, ONES }

    /** A parameter: decayed by AdamW when it is a matrix (as nanoGPT's configure_optimizers does). */
    public record Entry(String name, int[] shape, long offset, long size, Init init) {
        public boolean decay() {
            return shape.length >= 2;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long total;

    private ParameterLayout() {
    }

    /** The bigram model's single table: row i holds the logits of the token after token i. */
    public static ParameterLayout bigram(int vocabSize) {
        ParameterLayout layout = new ParameterLayout();
        layout.add("bigram.weight", Init.NORMAL, vocabSize, vocabSize);
        return layout;
    }

    public ParameterLayout(GptConfig c) {
        int C = c.nEmbd(), V = c.vocabSize();
        add("transformer.wte.weight", Init.NORMAL, V, C);
        add("transformer.wpe.weight", Init.NORMAL, c.blockSize(), C);
        Init residual = c.scaledResidualInit() ? Init.RESIDUAL : Init.NORMAL;
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "transformer.h." + l + ".";
            add(h + "ln_1.weight", Init.ONES, C);
            add(h + "ln_1.bias", Init.ZEROS, C);
            add(h + "attn.c_attn.weight", Init.NORMAL, 3 * C, C);
            if (c.qkvBias()) {
                add(h + "attn.c_attn.bias", Init.ZEROS, 3 * C);
            }
            add(h + "attn.c_proj.weight", residual, C, C);
            add(h + "attn.c_proj.bias", Init.ZEROS, C);
            add(h + "ln_2.weight", Init.ONES, C);
            add(h + "ln_2.bias", Init.ZEROS, C);
            add(h + "mlp.c_fc.weight", Init.NORMAL, 4 * C, C);
            add(h + "mlp.c_fc.bias", Init.ZEROS, 4 * C);
            add(h + "mlp.c_proj.weight", residual, C, 4 * C);
            add(h + "mlp.c_proj.bias", Init.ZEROS, C);
        }
        add("transformer.ln_f.weight", Init.ONES, C);
        add("transformer.ln_f.bias", Init.ZEROS, C);
        if (!c.tieEmbeddings()) {
            add("lm_head.weight", Init.NORMAL, V, C);
        }
        if (c.lmHeadBias()) {
            add("lm_head.bias", Init.ZEROS, V);
        }
    }

    /**
     * LoRA's trained parameters on a GPT of layout base: A (r, C) and B (OC, r) for the four projections of every
     * block (A drawn, B zero, so the adapted model starts as the base), then the named base entries, trained whole.
     */
    public static ParameterLayout lora(GptConfig c, ParameterLayout base, int rank, List<String> whole) {
        ParameterLayout layout = new ParameterLayout();
        for (int l = 0; l < c.nLayer(); l++) {
            for (Linear linear : Linear.PER_BLOCK) {
                int[] w = base.find(linear.weightName(c, l)).shape(); // (OC, C)
                layout.add(loraA(c, l, linear), Init.NORMAL, rank, w[1]);
                layout.add(loraB(c, l, linear), Init.ZEROS, w[0], rank);
            }
        }
        for (String name : whole) {
            Entry e = base.find(name);
            layout.add(name, e.init(), e.shape());
        }
        return layout;
    }

    /** The name of a projection's LoRA A, as PEFT's (transformer.h.0.attn.c_attn.lora_A.weight). */
    public static String loraA(GptConfig c, int l, Linear linear) {
        return linear.weightName(c, l).replace(".weight", ".lora_A.weight");
    }

    public static String loraB(GptConfig c, int l, Linear linear) {
        return linear.weightName(c, l).replace(".weight", ".lora_B.weight");
    }

    /** This layout without the named entries, the others packed in the same order. */
    public ParameterLayout without(Set<String> names) {
        ParameterLayout rest = new ParameterLayout();
        for (Entry e : entries.values()) {
            if (!names.contains(e.name())) {
                rest.add(e.name(), e.init(), e.shape());
            }
        }
        return rest;
    }

    private void add(String name, Init init, int... shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        entries.put(name, new Entry(name, shape, total, size, init));
        total += size;
    }

    public long total() {
        return total;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /** The entry of that name, or null. */
    public Entry find(String name) {
        return entries.get(name);
    }
}
