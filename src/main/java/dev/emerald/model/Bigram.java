package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;

/**
 * The course's first model: the next token's logits are a row of a (V, V) table, looked up by the
 * current token. The lookup is the embedding op with an all-zero position table.
 */
public final class Bigram implements LanguageModel {

    private final Backend backend;
    private final int vocabSize;
    private final int blockSize;
    private final ParameterLayout layout;
    private final Tensor table;     // (V, V)
    private Tensor grad;
    private Tensor positions;       // (T, V) zeros; its gradient lands in positionsGrad and is dropped
    private Tensor positionsGrad;
    private Tensor logits;          // (B, T, V)
    private Tensor losses;          // (B, T)
    private float[] lossesHost = new float[0];
    private int B, T, valid;
    private int[] inputs, targets;

    public Bigram(int vocabSize, int blockSize, Backend backend) {
        this.backend = backend;
        this.vocabSize = vocabSize;
        this.blockSize = blockSize;
        this.layout = ParameterLayout.bigram(vocabSize);
        this.table = backend.alloc(layout.total());
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public Tensor parameters() {
        return table;
    }

    @Override
    public Tensor gradients() {
        if (grad == null) {
            grad = backend.alloc(layout.total());
        }
        return grad;
    }

    @Override
    public void initWeights(long seed) {
        Rng rng = Rng.of(seed);
        float[] host = new float[Math.toIntExact(layout.total())];
        for (int i = 0; i < host.length; i++) {
            host[i] = (float) (0.02 * rng.nextGaussian());
        }
        backend.upload(table, host);
    }

    @Override
    public float forward(int[] inputs, int[] targets, int B, int T, boolean training, long dropoutSeed) {
        if (logits == null || this.B != B || this.T != T) {
            if (logits != null) {
                for (Tensor t : new Tensor[] {logits, losses, positions, positionsGrad}) {
                    backend.free(t);
                }
            }
            logits = backend.alloc((long) B * T * vocabSize);
            losses = backend.alloc((long) B * T);
            positions = backend.alloc((long) T * vocabSize);
            positionsGrad = backend.alloc((long) T * vocabSize);
            lossesHost = new float[B * T];
            this.B = B;
            this.T = T;
        }
        this.inputs = inputs;
        this.targets = targets;
        backend.encoderForward(logits, inputs, table, positions, B, T, vocabSize);
        if (targets == null) {
            return Float.NaN;
        }
        backend.crossEntropyForward(losses, logits, targets, B * T, vocabSize);
        backend.download(losses, lossesHost);
        valid = Losses.valid(targets, B * T);
        return Losses.mean(lossesHost, targets, B * T);
    }

    @Override
    public KvCache newCache() {
        return new KvCache(this, 0, 0);
    }

    /** The next token depends on the current one alone: nothing to cache, the positions are only counted. */
    @Override
    public void forward(int[] tokens, int T, KvCache cache) {
        cache.checkRoom(this, T);
        forward(tokens, null, 1, T, false, 0);
        cache.advance(T);
    }

    @Override
    public void backward(float lossScale) {
        if (valid == 0) {
            return;
        }
        backend.crossEntropyBackward(logits, logits, targets, lossScale / valid, B * T, vocabSize);
        backend.encoderBackward(gradients(), positionsGrad, logits, inputs, B, T, vocabSize);
    }

    @Override
    public void zeroGrad() {
        backend.zero(gradients());
        if (positionsGrad != null) {
            backend.zero(positionsGrad);
        }
    }

    @Override
    public Tensor logits() {
        return logits;
    }
}
