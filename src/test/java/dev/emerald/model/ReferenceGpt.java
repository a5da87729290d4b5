package dev.emerald.model;

import dev.emerald.backend.DropoutRng;

import static dev.emerald.backend.ReferenceOps.refAttention;
import static dev.emerald.backend.ReferenceOps.refEncoder;
import static dev.emerald.backend.ReferenceOps.refGelu;
import static dev.emerald.backend.ReferenceOps.refLayernorm;
import static dev.emerald.backend.ReferenceOps.refMatmul;
import static dev.emerald.backend.ReferenceOps.refMeanLoss;
import static dev.emerald.backend.ReferenceOps.refRelu;

/**
 * A naive double-precision GPT loss, written from the model's description (pre- or post-norm blocks,
 * GELU or ReLU, dropout with given masks), reading parameters by their names.
 */
final class ReferenceGpt {
    private final GptConfig c;
    private final ParameterLayout layout;
    private final float dropout;
    private final long seed;

    ReferenceGpt(GptConfig c, float dropout, long seed) {
        this.c = c;
        this.layout = new ParameterLayout(c);
        this.dropout = dropout;
        this.seed = seed;
    }

    private double[] get(double[] params, String name) {
        ParameterLayout.Entry e = layout.find(name);
        if (e == null) {
            return null;
        }
        double[] t = new double[(int) e.size()];
        System.arraycopy(params, (int) e.offset(), t, 0, t.length);
        return t;
    }

    private double[] drop(double[] x, long stream) {
        if (dropout == 0) {
            return x;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = DropoutRng.uniform(seed, stream, i) >= dropout ? x[i] / (1 - (double) dropout) : 0;
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    double loss(double[] p, int[] inputs, int[] targets, int B, int T) {
        int C = c.nEmbd(), NH = c.nHead(), V = c.vocabSize(), N = B * T;
        double[] x = refEncoder(get(p, "transformer.wte.weight"), get(p, "transformer.wpe.weight"), inputs, B, T, C);
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "transformer.h." + l + ".";
            double[] ln1w = get(p, h + "ln_1.weight"), ln1b = get(p, h + "ln_1.bias");
            double[] ln2w = get(p, h + "ln_2.weight"), ln2b = get(p, h + "ln_2.bias");
            double[] attIn = c.prenorm() ? refLayernorm(x, ln1w, ln1b, N, C) : x;
            double[] qkv = refMatmul(attIn, get(p, h + "attn.c_attn.weight"), get(p, h + "attn.c_attn.bias"), N, C, 3 * C);
            double[] mask = new double[B * NH * T * T];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = dropout == 0 ? 1 : DropoutRng.uniform(seed, 3L * l, i) >= dropout ? 1 / (1 - (double) dropout) : 0;
            }
            double[] y = refAttention(qkv, B, T, C, NH, mask);
            y = drop(refMatmul(y, get(p, h + "attn.c_proj.weight"), get(p, h + "attn.c_proj.bias"), N, C, C), 3L * l + 1);
            double[] resAtt = add(x, y);
            double[] mlpIn = c.prenorm() ? refLayernorm(resAtt, ln2w, ln2b, N, C) : refLayernorm(resAtt, ln1w, ln1b, N, C);
            double[] fc = refMatmul(mlpIn, get(p, h + "mlp.c_fc.weight"), get(p, h + "mlp.c_fc.bias"), N, C, 4 * C);
            fc = c.activation() == GptConfig.Activation.gelu ? refGelu(fc) : refRelu(fc);
            double[] mlp = drop(refMatmul(fc, get(p, h + "mlp.c_proj.weight"), get(p, h + "mlp.c_proj.bias"), N, 4 * C, C), 3L * l + 2);
            x = c.prenorm() ? add(resAtt, mlp) : refLayernorm(add(mlpIn, mlp), ln2w, ln2b, N, C);
        }
        double[] lnf = refLayernorm(x, get(p, "transformer.ln_f.weight"), get(p, "transformer.ln_f.bias"), N, C);
        double[] head = c.tieEmbeddings() ? get(p, "transformer.wte.weight") : get(p, "lm_head.weight");
        double[] logits = refMatmul(lnf, head, get(p, "lm_head.bias"), N, C, V);
        return refMeanLoss(logits, targets, N, V);
    }
}
