package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;

import java.util.List;
import java.util.stream.Stream;

/**
 * A GPT fine-tuned with LoRA: the base's weights frozen, the trained parameters (the adapters, and tensors trained
 * whole such as a grown vocabulary's embedding) in a buffer of their own, so AdamW's moments are theirs only. The
 * base still computes its weights' gradients (its backward is shared with full training); nothing reads them.
 */
public final class LoraModel implements LanguageModel {
    private final Gpt base;
    private final Lora lora;
    private final ParameterLayout layout;
    private final Tensor params, grads;
    private final List<String> whole;
    private final Origin origin;

    /** The checkpoint the base was loaded from, as its weights file was: what the saved adapters name and check. */
    public record Origin(String dir, long bytes, String sha256) {
    }

    /** Adapts base (which is the adapted model's from now on); see {@link ParameterLayout#lora} for whole. */
    public LoraModel(Gpt base, Origin origin, Lora.Settings settings, List<String> whole) {
        this.base = base;
        this.origin = origin;
        this.whole = List.copyOf(whole);
        this.layout = ParameterLayout.lora(base.config(), base.layout(), settings.rank(), whole);
        Backend be = base.backend();
        this.params = be.alloc(layout.total());
        this.grads = be.alloc(layout.total());
        this.lora = new Lora(be, base.config(), settings, layout, params, grads);
        base.adapt(lora);
    }

    /** The tensors whose rows are tokens: trained whole when fine-tuning grew the vocabulary, since its new rows start equal. */
    public static List<String> vocabularyTensors(Gpt gpt) {
        return Stream.of("transformer.wte.weight", "lm_head.weight", "lm_head.bias").filter(n -> gpt.layout().find(n) != null).toList();
    }

    public Gpt base() {
        return base;
    }

    public Origin origin() {
        return origin;
    }

    public Lora.Settings settings() {
        return lora.settings();
    }

    /** The base tensors trained whole. */
    public List<String> whole() {
        return whole;
    }

    /** A ~ N(0, 1/C), so x A^T keeps x's scale (as a Kaiming init); B = 0, so the model starts as the base; whole tensors from the base. */
    @Override
    public void initWeights(long seed) {
        Rng rng = Rng.of(seed);
        float[] host = new float[params.len()];
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.init() == ParameterLayout.Init.NORMAL && e.name().contains(".lora_A.")) {
                double std = 1 / Math.sqrt(e.shape()[1]);
                for (int i = 0; i < e.size(); i++) {
                    host[Math.toIntExact(e.offset()) + i] = (float) (std * rng.nextGaussian());
                }
            }
        }
        backend().upload(params, host);
        for (String name : whole) {
            backend().copy(view(params, layout, name), view(base.parameters(), base.layout(), name));
        }
    }

    @Override
    public float forward(int[] inputs, int[] targets, int B, int T, boolean training, long dropoutSeed) {
        copyWholeToBase();
        return base.forward(inputs, targets, B, T, training, dropoutSeed);
    }

    /** The base's cache: the adapters run inside the base's forward, so decoding needs nothing of its own. */
    @Override
    public KvCache newCache() {
        return base.newCache();
    }

    @Override
    public void forward(int[] tokens, int T, KvCache cache) {
        copyWholeToBase();
        base.forward(tokens, T, cache);
    }

    private void copyWholeToBase() {
        for (String name : whole) {
            backend().copy(view(base.parameters(), base.layout(), name), view(params, layout, name));
        }
    }

    @Override
    public void backward(float lossScale) {
        for (String name : whole) {
            backend().zero(view(base.gradients(), base.layout(), name));
        }
        base.backward(lossScale);
        for (String name : whole) {
            Tensor g = view(grads, layout, name);
            backend().accumulate(g, view(base.gradients(), base.layout(), name), g.len());
        }
    }

    @Override
    public void zeroGrad() {
        base.zeroGrad();
        backend().zero(grads);
    }

    /** The base with W += scale * B A in every adapted projection and the whole tensors in place: a plain GPT, this model's equal. */
    public Gpt merge() {
        float[] w = new float[base.parameters().len()], p = new float[params.len()];
        backend().download(base.parameters(), w);
        backend().download(params, p);
        GptConfig c = base.config();
        int r = settings().rank();
        float scale = settings().scale();
        for (int l = 0; l < c.nLayer(); l++) {
            for (Linear linear : Linear.PER_BLOCK) {
                ParameterLayout.Entry we = base.layout().find(linear.weightName(c, l));
                int W = Math.toIntExact(we.offset()), OC = we.shape()[0], C = we.shape()[1];
                int A = Math.toIntExact(layout.find(ParameterLayout.loraA(c, l, linear)).offset());
                int Bo = Math.toIntExact(layout.find(ParameterLayout.loraB(c, l, linear)).offset());
                for (int o = 0; o < OC; o++) {
                    for (int k = 0; k < r; k++) {
                        float bok = scale * p[Bo + o * r + k];
                        for (int i = 0; i < C; i++) {
                            w[W + o * C + i] += bok * p[A + k * C + i];
                        }
                    }
                }
            }
        }
        for (String name : whole) {
            ParameterLayout.Entry from = layout.find(name), to = base.layout().find(name);
            System.arraycopy(p, Math.toIntExact(from.offset()), w, Math.toIntExact(to.offset()), Math.toIntExact(from.size()));
        }
        backend().upload(base.parameters(), w);
        base.adapt(null);
        backend().free(params);
        backend().free(grads);
        return base;
    }

    private static Tensor view(Tensor buffer, ParameterLayout layout, String name) {
        ParameterLayout.Entry e = layout.find(name);
        return buffer.slice(e.offset(), e.size());
    }

    @Override
    public Backend backend() {
        return base.backend();
    }

    @Override
    public int vocabSize() {
        return base.vocabSize();
    }

    @Override
    public int blockSize() {
        return base.blockSize();
    }

    /** The trained parameters only. */
    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public Tensor parameters() {
        return params;
    }

    @Override
    public Tensor gradients() {
        return grads;
    }

    @Override
    public Tensor logits() {
        return base.logits();
    }
}
