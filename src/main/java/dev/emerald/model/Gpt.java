package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.backend.Precision;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;

import java.util.function.LongFunction;

/**
 * The GPT: parameters, gradients and activations in a few large buffers, and an explicit forward and
 * backward pass per layer (as llm.c's train_gpt2.c), running on any {@link Backend}. On a backend in
 * {@link Precision#BF16} the GEMMs read a bf16 copy of the weights, cast from the float master weights
 * at each forward, and the activations only GEMMs read are bf16 ({@link Activations}).
 */
public final class Gpt implements LanguageModel {

    private final GptConfig config;
    private final Backend backend;
    private final ParameterLayout layout;
    private final Weights params;
    /** The weight matrices of the linear layers as int8, when the model is quantized (params then lacks them). */
    private final Int8Weights int8;
    /** What the GEMMs read: params, or their bf16 copy in mixed precision. */
    private final Weights gemmWeights;
    private Weights grads;
    /** LoRA adapters added to the block projections, or null. */
    private Lora lora;

    private Tensor actBuffer;
    private Tensor halfBuffer;
    private Activations acts;
    private Tensor scratchBuffer;
    private GradScratch scratch;
    private float[] lossesHost = new float[0];

    // what the last forward saw, for the backward
    private int[] inputs;
    private int[] targets;
    private int validTargets;
    private long dropoutSeed;
    private boolean training;

    public Gpt(GptConfig config, Backend backend) {
        this(config, backend, new ParameterLayout(config), null);
    }

    private Gpt(GptConfig config, Backend backend, ParameterLayout layout, Int8Layout int8) {
        this.config = config;
        this.backend = backend;
        this.layout = layout;
        this.params = new Weights(layout, config, backend.alloc(layout.total()));
        this.int8 = int8 == null ? null : new Int8Weights(int8, backend);
        this.gemmWeights = bf16() ? new Weights(layout, config, backend.allocBf16(layout.total())) : params;
    }

    /** A GPT for inference with int8 weight matrices (zeros until uploaded): see {@link Int8Host#upload}. */
    static Gpt quantized(Int8Layout layout, Backend backend) {
        return new Gpt(layout.config(), backend, layout.floats(), layout);
    }

    private boolean bf16() {
        return backend.precision() == Precision.BF16;
    }

    public GptConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int blockSize() {
        return config.blockSize();
    }

    @Override
    public Tensor parameters() {
        return params.all;
    }

    @Override
    public Tensor gradients() {
        return grads().all;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    public Weights params() {
        return params;
    }

    /** The int8 weight matrices of a quantized model, or null. */
    public Int8Weights int8() {
        return int8;
    }

    /** Adds lora's path to every block projection from now on (null: none). */
    public void adapt(Lora lora) {
        checkTrainable();
        this.lora = lora;
    }

    /** The gradients, allocated on first use. */
    public Weights grads() {
        checkTrainable();
        if (grads == null) {
            grads = new Weights(layout, config, backend.alloc(layout.total()));
        }
        return grads;
    }

    public long parameterCount() {
        return layout.total();
    }

    /** Fresh weights: N(0, 0.02), residual projections N(0, 0.02 / sqrt(2 n_layer)) when the config asks. */
    @Override
    public void initWeights(long seed) {
        checkTrainable();
        Rng rng = Rng.of(seed);
        float[] host = new float[Math.toIntExact(layout.total())];
        float residualStd = (float) (0.02 / Math.sqrt(2.0 * config.nLayer()));
        for (ParameterLayout.Entry e : layout.entries()) {
            int from = Math.toIntExact(e.offset()), to = Math.toIntExact(e.offset() + e.size());
            for (int i = from; i < to; i++) {
                host[i] = switch (e.init()) {
                    case NORMAL -> (float) (0.02 * rng.nextGaussian());
                    case RESIDUAL -> (float) (residualStd * rng.nextGaussian());
                    case ZEROS -> 0f;
                    case ONES -> 1f;
                };
            }
        }
        backend.upload(params.all, host);
    }

    private void ensure(int B, int T) {
        if (T > config.blockSize()) {
            throw new IllegalArgumentException("sequence length " + T + " exceeds block_size " + config.blockSize());
        }
        if (acts != null && acts.B == B && acts.T == T) {
            return;
        }
        long attState = backend.attentionStateSize(B, T, config.nEmbd(), config.nHead());
        actBuffer = grown(actBuffer, Activations.size(config, B, T, attState, bf16()), backend::alloc);
        if (bf16()) {
            halfBuffer = grown(halfBuffer, Activations.halfSize(config, B, T), backend::allocBf16);
        }
        acts = new Activations(actBuffer, halfBuffer, config, B, T, attState);
        scratch = null;
        if (lossesHost.length < B * T) {
            lossesHost = new float[B * T];
        }
    }

    /** buffer when it holds need values, else a new one from alloc (buffer, if any, freed). */
    private Tensor grown(Tensor buffer, long need, LongFunction<Tensor> alloc) {
        if (buffer != null && buffer.size() >= need) {
            return buffer;
        }
        if (buffer != null) {
            backend.free(buffer);
        }
        return alloc.apply(need);
    }

    /**
     * Runs the model on inputs (B, T). With targets, returns the mean cross-entropy over the targets
     * that are not negative (and keeps what the backward needs); without, returns NaN and leaves the
     * logits readable through {@link #logits}. Dropout is on only when training; its masks come from
     * dropoutSeed. The arrays must stay unchanged until {@link #backward}.
     */
    @Override
    public float forward(int[] inputs, int[] targets, int B, int T, boolean training, long dropoutSeed) {
        return forward(inputs, targets, B, T, training, dropoutSeed, null);
    }

    @Override
    public KvCache newCache() {
        return new KvCache(this, config.nLayer(), config.nEmbd());
    }

    @Override
    public void forward(int[] tokens, int T, KvCache cache) {
        cache.checkRoom(this, T);
        forward(tokens, null, 1, T, false, 0, cache);
        cache.advance(T);
    }

    /**
     * The forward pass: over whole sequences, or with a cache, over T new positions of one sequence after the cached
     * ones, whose keys and values it adds to the cache.
     */
    private float forward(int[] inputs, int[] targets, int B, int T, boolean training, long dropoutSeed, KvCache cache) {
        ensure(B, T);
        this.inputs = inputs;
        this.targets = targets;
        this.training = training;
        this.dropoutSeed = dropoutSeed;
        Activations a = acts;
        int C = config.nEmbd(), V = config.vocabSize(), BT = B * T;
        boolean pre = config.prenorm();
        if (gemmWeights != params) {
            backend.castBf16(gemmWeights.all, params.all); // the master weights may have changed since the last forward
        }
        int pos = cache == null ? 0 : cache.length();
        // positions pos .. pos + T - 1 read wpe from row pos
        backend.encoderForward(a.encoded, inputs, params.wte, params.wpe.slice((long) pos * C, (long) T * C), B, T, C);
        for (int l = 0; l < config.nLayer(); l++) {
            Weights.Layer L = params.layers[l];
            Activations.Layer A = a.layers[l];
            Tensor x = a.layerInput(l, pre); // (B, T, C)

            // attention: resAtt = x + dropout(attproj(attn(pre ? ln1(x) : x)))
            Tensor attIn = x;
            if (pre) {
                backend.layernormForward(A.ln1(), A.ln1Mean(), A.ln1Rstd(), x, L.ln1w(), L.ln1b(), BT, C);
                attIn = A.ln1();
            }
            linear(A.qkv(), attIn, l, Linear.QKV, L.qkvb(), BT, C, 3 * C);
            attention(A, l, B, T, pos, cache);
            linear(a.proj, A.atty(), l, Linear.ATTPROJ, L.attprojb(), BT, C, C);
            dropout(a.proj, BT * C, stream(l, 1));
            backend.residualForward(A.resAtt(), x, a.proj, BT * C);

            // MLP: pre-norm resMlp = resAtt + mlp(ln2(resAtt)); post-norm resMlp = ln1 + mlp(ln1), ln1 = ln1(resAtt)
            Tensor mlpIn;
            if (pre) {
                backend.layernormForward(A.ln2(), A.ln2Mean(), A.ln2Rstd(), A.resAtt(), L.ln2w(), L.ln2b(), BT, C);
                mlpIn = A.ln2();
            } else {
                backend.layernormForward(A.ln1(), A.ln1Mean(), A.ln1Rstd(), A.resAtt(), L.ln1w(), L.ln1b(), BT, C);
                mlpIn = A.ln1();
            }
            linear(A.fch(), mlpIn, l, Linear.FC, L.fcb(), BT, C, 4 * C);
            if (config.activation() == GptConfig.Activation.gelu) {
                backend.geluForward(A.fchAct(), A.fch(), BT * 4 * C);
            } else {
                backend.reluForward(A.fchAct(), A.fch(), BT * 4 * C);
            }
            linear(a.proj, A.fchAct(), l, Linear.FCPROJ, L.fcprojb(), BT, 4 * C, C);
            dropout(a.proj, BT * C, stream(l, 2));
            backend.residualForward(A.resMlp(), pre ? A.resAtt() : A.ln1(), a.proj, BT * C);
            if (!pre) {
                backend.layernormForward(A.ln2(), A.ln2Mean(), A.ln2Rstd(), A.resMlp(), L.ln2w(), L.ln2b(), BT, C);
            }
        }
        Tensor last = a.layerOutput(config.nLayer() - 1, pre);
        backend.layernormForward(a.lnf, a.lnfMean, a.lnfRstd, last, params.lnfw, params.lnfb, BT, C);
        linear(a.logits, a.lnf, 0, Linear.LM_HEAD, params.lmb, BT, C, V); // (B, T, V)
        if (targets == null) {
            return Float.NaN;
        }
        backend.crossEntropyForward(a.losses, a.logits, targets, BT, V);
        backend.download(a.losses, lossesHost);
        validTargets = Losses.valid(targets, BT);
        return Losses.mean(lossesHost, targets, BT);
    }

    /** atty from qkv: over the sequences themselves, or over the cache once the new positions' keys and values are in it. */
    private void attention(Activations.Layer A, int l, int B, int T, int pos, KvCache cache) {
        int C = config.nEmbd(), NH = config.nHead();
        if (cache == null) {
            backend.attentionForward(A.atty(), A.att(), A.qkv(), B, T, C, NH, dropout(), dropoutSeed, stream(l, 0));
            return;
        }
        long cached = (long) (pos + T) * C;
        Tensor keys = cache.keys(l).slice(0, cached), values = cache.values(l).slice(0, cached); // (pos + T, C)
        backend.kvCacheWrite(keys.slice((long) pos * C, (long) T * C), values.slice((long) pos * C, (long) T * C), A.qkv(), T, C);
        backend.cachedAttentionForward(A.atty(), A.qkv(), keys, values, pos, T, C, NH);
    }

    /**
     * Backpropagates the last forward's mean loss times lossScale (1 / accumulation steps), adding
     * into the gradients: call {@link #zeroGrad} before the first micro-batch of a step.
     */
    @Override
    public void backward(float lossScale) {
        if (targets == null) {
            throw new IllegalStateException("backward needs a forward with targets");
        }
        Weights g = grads();
        Activations a = acts;
        int B = a.B, T = a.T, C = config.nEmbd(), NH = config.nHead(), V = config.vocabSize(), BT = B * T;
        boolean pre = config.prenorm();
        if (scratch == null) {
            long attScratch = backend.attentionScratchSize(B, T, C, NH);
            scratchBuffer = grown(scratchBuffer, GradScratch.size(config, B, T, attScratch), backend::alloc);
            scratch = new GradScratch(scratchBuffer, config, B, T, attScratch);
        }
        GradScratch s = scratch;
        if (validTargets == 0) {
            return;
        }

        // LM head and final layernorm; the probabilities become dlogits in place
        backend.crossEntropyBackward(a.logits, a.logits, targets, lossScale / validTargets, BT, V);
        linearBackward(s.dln, a.logits, a.lnf, 0, Linear.LM_HEAD, g.lmb, BT, C, V);
        backend.zero(s.dres);
        Tensor last = a.layerOutput(config.nLayer() - 1, pre);
        backend.layernormBackward(s.dres, g.lnfw, g.lnfb, s.dln, last, params.lnfw, a.lnfMean, a.lnfRstd, BT, C);

        for (int l = config.nLayer() - 1; l >= 0; l--) {
            Weights.Layer L = params.layers[l];
            Weights.Layer G = g.layers[l];
            Activations.Layer A = a.layers[l];
            Tensor x = a.layerInput(l, pre);

            // MLP; dMlp is the gradient of resMlp
            Tensor dMlp = s.dres;
            if (!pre) {
                backend.zero(s.dnorm);
                backend.layernormBackward(s.dnorm, G.ln2w(), G.ln2b(), s.dres, A.resMlp(), L.ln2w(), A.ln2Mean(), A.ln2Rstd(), BT, C);
                dMlp = s.dnorm;
            }
            Tensor mlpIn = pre ? A.ln2() : A.ln1();
            backend.copy(s.dproj, dMlp);
            dropout(s.dproj, BT * C, stream(l, 2));
            linearBackward(s.dfch, s.dproj, A.fchAct(), l, Linear.FCPROJ, G.fcprojb(), BT, 4 * C, C);
            if (config.activation() == GptConfig.Activation.gelu) {
                backend.geluBackward(s.dfch, A.fch(), s.dfch, BT * 4 * C);
            } else {
                backend.reluBackward(s.dfch, A.fch(), s.dfch, BT * 4 * C);
            }
            linearBackward(s.dln, s.dfch, mlpIn, l, Linear.FC, G.fcb(), BT, C, 4 * C);
            if (pre) {
                // dres becomes the gradient of resAtt: the residual path plus ln2's
                backend.layernormBackward(s.dres, G.ln2w(), G.ln2b(), s.dln, A.resAtt(), L.ln2w(), A.ln2Mean(), A.ln2Rstd(), BT, C);
            } else {
                backend.accumulate(s.dnorm, s.dln, BT * C); // gradient of ln1: residual path plus the MLP's
                backend.zero(s.dres);
                backend.layernormBackward(s.dres, G.ln1w(), G.ln1b(), s.dnorm, A.resAtt(), L.ln1w(), A.ln1Mean(), A.ln1Rstd(), BT, C);
            }

            // attention; dres is the gradient of resAtt = x + dropout(attproj(...))
            backend.copy(s.dproj, s.dres);
            dropout(s.dproj, BT * C, stream(l, 1));
            linearBackward(s.datty, s.dproj, A.atty(), l, Linear.ATTPROJ, G.attprojb(), BT, C, C);
            backend.attentionBackward(s.dqkv, s.datt, s.datty, A.atty(), A.qkv(), A.att(), B, T, C, NH,
                    dropout(), dropoutSeed, stream(l, 0));
            linearBackward(s.dln, s.dqkv, pre ? A.ln1() : x, l, Linear.QKV, G.qkvb(), BT, C, 3 * C);
            if (pre) {
                backend.layernormBackward(s.dres, G.ln1w(), G.ln1b(), s.dln, x, L.ln1w(), A.ln1Mean(), A.ln1Rstd(), BT, C);
            } else {
                backend.accumulate(s.dres, s.dln, BT * C);
            }
            // dres is now the gradient of x, the layer's input
        }
        backend.encoderBackward(g.wte, g.wpe, s.dres, inputs, B, T, C);
    }

    @Override
    public void zeroGrad() {
        backend.zero(grads().all);
    }

    /** The logits (B, T, V) of the last forward without targets. */
    @Override
    public Tensor logits() {
        return acts.logits;
    }

    /** Every weight matmul of the forward: out (N, OC) = inp (N, C) @ w^T + bias, w int8 when the model is quantized. */
    private void linear(Tensor out, Tensor inp, int l, Linear linear, Tensor bias, int N, int C, int OC) {
        if (int8 == null) {
            backend.matmulForward(out, inp, linear.weight(gemmWeights, l), bias, N, C, OC);
            if (lora != null && linear != Linear.LM_HEAD) {
                lora.forward(out, inp, l, linear, N, C, OC);
            }
        } else {
            Int8Weights.Matrix w = int8.matrix(l, linear);
            backend.matmulForwardInt8(out, inp, w.values(), w.scales(), bias, N, C, OC);
        }
    }

    /** The backward of {@link #linear}: dinp (N, C) = dout @ w, with the adapter's share; w's and the bias's gradients added. */
    private void linearBackward(Tensor dinp, Tensor dout, Tensor inp, int l, Linear linear, Tensor dbias, int N, int C, int OC) {
        backend.matmulBackward(dinp, linear.weight(grads, l), dbias, dout, inp, linear.weight(gemmWeights, l), N, C, OC);
        if (lora != null && linear != Linear.LM_HEAD) {
            lora.backward(dinp, dout, inp, l, linear, N, C, OC);
        }
    }

    private void checkTrainable() {
        if (int8 != null) {
            throw new IllegalStateException("an int8-quantized model is for inference only: it has no gradients or initialisation");
        }
    }

    private float dropout() {
        return training ? config.dropout() : 0f;
    }

    private void dropout(Tensor x, int n, long stream) {
        float p = dropout();
        if (p > 0) {
            backend.dropout(x, n, p, dropoutSeed, stream);
        }
    }

    /** Each dropout site draws its own counter-based stream: three per layer. */
    private static long stream(int layer, int site) {
        return 3L * layer + site;
    }
}
