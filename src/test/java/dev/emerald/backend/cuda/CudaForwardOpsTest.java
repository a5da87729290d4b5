package dev.emerald.backend.cuda;

import dev.emerald.backend.cuda.CpuVsCuda.Twin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each forward op of {@link CudaBackend} on the emulator against {@code CpuBackend}, on shapes that are
 * multiples of neither 32 nor the block sizes: B = 3, T = 37, C = 84, NH = 4 (hs = 21), V = 67 and 1000.
 * Kernels that take a block size of the caller's choosing are also launched directly with others.
 */
class CudaForwardOpsTest {

    /** Largest relative error allowed; floors (see {@link CpuVsCuda}) for sums of unit-scale terms and for probabilities. */
    private static final double TOL = 1e-5, UNIT = 1, PROB = 1e-6;
    private static final int B = 3, T = 37, C = 84, NH = 4, N = B * T;

    private CpuVsCuda ops;

    /** With the unfused attention, whose kernels these tests cover; FlashAttentionTest covers the fused one. */
    @BeforeEach
    void open() {
        ops = new CpuVsCuda(Emulators.backend(Attention.UNFUSED));
    }

    @AfterEach
    void close() {
        if (ops != null) { // null when the emulator is not built and the test was skipped
            ops.close();
        }
    }

    @Test
    void encoder() {
        int V = 67;
        Twin wte = ops.randn(V * C, 1), wpe = ops.randn(T * C, 1), out = ops.zeros(N * C);
        int[] tokens = ops.ids(N, V);
        ops.both(be -> be.encoderForward(out.on(be), tokens, wte.on(be), wpe.on(be), B, T, C));
        ops.assertMatches("encoder_forward1 out", out, TOL, UNIT);
    }

    @Test
    void tokenOutsideVocabularyIsRefused() {
        int V = 67;
        Twin wte = ops.randn(V * C, 1), wpe = ops.randn(T * C, 1), out = ops.zeros(N * C);
        int[] tokens = ops.ids(N, V);
        tokens[5] = V;
        assertThrows(IllegalArgumentException.class, () -> ops.cuda.encoderForward(out.cuda(), tokens, wte.cuda(), wpe.cuda(), B, T, C));
    }

    @Test
    void layernorm() {
        Twin inp = ops.randn(N * C, 2), w = ops.randn(C, 1), b = ops.randn(C, 1);
        Twin out = ops.zeros(N * C), mean = ops.zeros(N), rstd = ops.zeros(N);
        ops.both(be -> be.layernormForward(out.on(be), mean.on(be), rstd.on(be), inp.on(be), w.on(be), b.on(be), N, C));
        ops.assertMatches("layernorm_forward1 out", out, TOL, UNIT);
        ops.assertMatches("layernorm_forward1 mean", mean, TOL, UNIT);
        ops.assertMatches("layernorm_forward1 rstd", rstd, TOL, UNIT);
    }

    @ParameterizedTest(name = "bias {0}")
    @ValueSource(booleans = {true, false})
    void matmul(boolean withBias) {
        int OC = 3 * C;
        Twin inp = ops.randn(N * C, 1), w = ops.randn(OC * C, 0.1), bias = withBias ? ops.randn(OC, 1) : null;
        Twin out = ops.randn(N * OC, 1); // overwritten, not accumulated into
        ops.both(be -> be.matmulForward(out.on(be), inp.on(be), w.on(be), bias == null ? null : bias.on(be), N, C, OC));
        ops.assertMatches("matmul out" + (withBias ? " + bias_forward1" : ""), out, TOL, UNIT);
    }

    @Test
    void attention() {
        Twin qkv = ops.randn(N * 3 * C, 1), out = ops.zeros(N * C), att = ops.randn(B * NH * T * T, 1);
        ops.both(be -> be.attentionForward(out.on(be), att.on(be), qkv.on(be), B, T, C, NH, 0f, 0, 0));
        ops.assertMatches("attention (attention_permute1, softmax_forward1, attention_unpermute1) att", att, TOL, PROB);
        ops.assertMatches("attention out", out, TOL, UNIT);
        float[] a = ops.cudaValues(att);
        for (int row = 0; row < B * NH * T; row++) {
            for (int j = row % T + 1; j < T; j++) {
                assertEquals(0f, a[row * T + j], "masked att[" + row + "][" + j + "]");
            }
        }
    }

    /** att keeps the probabilities before dropout; out is made with the dropped ones (dropout_forward1's mask). */
    @Test
    void attentionDropout() {
        Twin qkv = ops.randn(N * 3 * C, 1), out = ops.zeros(N * C), att = ops.zeros(B * NH * T * T);
        ops.both(be -> be.attentionForward(out.on(be), att.on(be), qkv.on(be), B, T, C, NH, 0.2f, 77, 5));
        ops.assertMatches("attention with dropout att", att, TOL, PROB);
        ops.assertMatches("attention with dropout out", out, TOL, UNIT);
    }

    /**
     * Generation's KV cache: a sequence's keys and values copied out of qkv, then the attention of its last T
     * positions (queries at pos ..) over them, with heads smaller and larger than a warp and keys in several tiles of 32.
     */
    @ParameterizedTest(name = "pos={0} T={1} NH={2}")
    @CsvSource({"0, 37, 4", "20, 1, 4", "45, 9, 2", "70, 1, 1", "33, 4, 2"})
    void cachedAttention(int pos, int T, int heads) {
        int n = pos + T;
        Twin qkv = ops.randn(n * 3 * C, 1), keys = ops.randn(n * C, 1), values = ops.randn(n * C, 1), out = ops.randn(T * C, 1);
        ops.both(be -> be.kvCacheWrite(keys.on(be), values.on(be), qkv.on(be), n, C));
        ops.assertMatches("kv_cache_write1 keys", keys, 0, UNIT);
        ops.assertMatches("kv_cache_write1 values", values, 0, UNIT);
        ops.both(be -> be.cachedAttentionForward(out.on(be), qkv.on(be).slice((long) pos * 3 * C, (long) T * 3 * C), keys.on(be),
                values.on(be), pos, T, C, heads));
        ops.assertMatches("cached_attention_forward1 out", out, TOL, UNIT);
    }

    @Test
    void gelu() {
        Twin inp = ops.randn(N * 4 * C, 2), out = ops.zeros(N * 4 * C);
        ops.both(be -> be.geluForward(out.on(be), inp.on(be), N * 4 * C));
        ops.assertMatches("gelu_forward1 out", out, TOL, UNIT);
    }

    @Test
    void relu() {
        Twin inp = ops.randn(N * 4 * C, 1), out = ops.zeros(N * 4 * C);
        ops.both(be -> be.reluForward(out.on(be), inp.on(be), N * 4 * C));
        ops.assertMatches("relu_forward1 out", out, 0, UNIT);
    }

    @Test
    void residual() {
        Twin a = ops.randn(N * C, 1), b = ops.randn(N * C, 1), out = ops.zeros(N * C);
        ops.both(be -> be.residualForward(out.on(be), a.on(be), b.on(be), N * C));
        ops.assertMatches("residual_forward1 out", out, 0, UNIT);
        ops.both(be -> be.accumulate(a.on(be), b.on(be), N * C));
        ops.assertMatches("residual_accumulate1 dst", a, 0, UNIT);
    }

    @ParameterizedTest(name = "V = {0}")
    @ValueSource(ints = {67, 1000})
    void classifier(int V) {
        Twin logits = ops.randn(N * V, 3), losses = ops.randn(N, 1);
        int[] targets = ops.ids(N, V);
        targets[0] = -1;
        targets[N / 2] = -100;
        targets[N - 1] = -1;
        ops.both(be -> be.crossEntropyForward(losses.on(be), logits.on(be), targets, N, V));
        ops.assertMatches("classifier_forward1 probs", logits, TOL, PROB);
        ops.assertMatches("classifier_forward1 losses", losses, TOL, PROB);
        float[] l = ops.cudaValues(losses);
        assertEquals(0f, l[0], "loss of an ignored row");
        assertEquals(0f, l[N / 2], "loss of an ignored row");
        assertEquals(0f, l[N - 1], "loss of an ignored row");
    }
}
