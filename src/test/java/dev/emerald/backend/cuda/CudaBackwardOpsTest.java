package dev.emerald.backend.cuda;

import dev.emerald.backend.cuda.CpuVsCuda.Twin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each backward, dropout and optimizer op of {@link CudaBackend} on the emulator against
 * {@code CpuBackend}, on shapes that are multiples of neither 32 nor the block sizes: B = 3, T = 37,
 * C = 84, NH = 4 (hs = 21), V = 67; N = B * T = 111 rows make 4 chunks of the column reductions, the
 * last one partial. Gradients that accumulate start from random values, so that += is checked. The
 * metric is {@link CpuVsCuda}'s largest relative error with a floor; ops whose kernels do the CPU's
 * float operations in the CPU's order are held to 0, bit for bit.
 */
class CudaBackwardOpsTest {

    /** Largest relative error allowed; floors (see {@link CpuVsCuda}) for sums of unit-scale terms and for probabilities. */
    private static final double TOL = 1e-5, UNIT = 1, PROB = 1e-6;
    private static final int B = 3, T = 37, C = 84, NH = 4, N = B * T, V = 67;

    private CpuVsCuda ops;

    @BeforeEach
    void open() {
        ops = new CpuVsCuda(Emulators.backend(Attention.UNFUSED)); // the fused path has FlashAttentionTest
    }

    @AfterEach
    void close() {
        if (ops != null) { // null when the emulator is not built and the test was skipped
            ops.close();
        }
    }

    @Test
    void encoder() {
        Twin dwte = ops.randn(V * C, 1), dwpe = ops.randn(T * C, 1), dout = ops.randn(N * C, 1);
        int[] tokens = ops.ids(N, V / 2); // many repeats, and tokens that do not occur
        ops.both(be -> be.encoderBackward(dwte.on(be), dwpe.on(be), dout.on(be), tokens, B, T, C));
        ops.assertMatches("encoder_backward_wte1 dwte", dwte, 0, UNIT);
        ops.assertMatches("encoder_backward_wpe1 dwpe", dwpe, 0, UNIT);
    }

    @Test
    void layernorm() {
        Twin inp = ops.randn(N * C, 2), w = ops.randn(C, 1), b = ops.randn(C, 1);
        Twin out = ops.zeros(N * C), mean = ops.zeros(N), rstd = ops.zeros(N);
        ops.both(be -> be.layernormForward(out.on(be), mean.on(be), rstd.on(be), inp.on(be), w.on(be), b.on(be), N, C));
        Twin dinp = ops.randn(N * C, 1), dw = ops.randn(C, 1), db = ops.randn(C, 1), dout = ops.randn(N * C, 1);
        ops.both(be -> be.layernormBackward(dinp.on(be), dw.on(be), db.on(be), dout.on(be), inp.on(be), w.on(be),
                mean.on(be), rstd.on(be), N, C));
        ops.assertMatches("layernorm_backward1 dinp", dinp, TOL, UNIT);
        ops.assertMatches("layernorm_param_backward1 + partial_sums_accumulate1 dweight", dw, TOL, UNIT);
        ops.assertMatches("layernorm_param_backward1 + partial_sums_accumulate1 dbias", db, TOL, UNIT);
    }

    @ParameterizedTest(name = "bias {0}")
    @ValueSource(booleans = {true, false})
    void matmul(boolean withBias) {
        int OC = 3 * C;
        Twin inp = ops.randn(N * C, 1), w = ops.randn(OC * C, 0.1), dout = ops.randn(N * OC, 1);
        Twin dinp = ops.randn(N * C, 1); // overwritten
        Twin dw = ops.randn(OC * C, 1), dbias = withBias ? ops.randn(OC, 1) : null;
        ops.both(be -> be.matmulBackward(dinp.on(be), dw.on(be), dbias == null ? null : dbias.on(be), dout.on(be),
                inp.on(be), w.on(be), N, C, OC));
        ops.assertMatches("matmul backward dinp", dinp, TOL, UNIT);
        ops.assertMatches("matmul backward dweight", dw, TOL, UNIT);
        if (withBias) {
            ops.assertMatches("bias_backward1 + partial_sums_accumulate1 dbias", dbias, TOL, UNIT);
        }
    }

    @ParameterizedTest(name = "dropout {0}")
    @ValueSource(floats = {0f, 0.2f})
    void attention(float dropout) {
        long seed = 77, stream = 5;
        Twin qkv = ops.randn(N * 3 * C, 1), out = ops.zeros(N * C), att = ops.zeros(B * NH * T * T);
        ops.both(be -> be.attentionForward(out.on(be), att.on(be), qkv.on(be), B, T, C, NH, dropout, seed, stream));
        Twin dout = ops.randn(N * C, 1), dqkv = ops.randn(N * 3 * C, 1), datt = ops.randn(B * NH * T * T, 1);
        ops.both(be -> be.attentionBackward(dqkv.on(be), datt.on(be), dout.on(be), out.on(be), qkv.on(be), att.on(be), B, T, C, NH,
                dropout, seed, stream));
        ops.assertMatches("attention backward (attention_unpermute_backward1, softmax_backward1, "
                + "attention_permute_backward1) dqkv", dqkv, TOL, UNIT);
    }

    /**
     * Inputs of unit scale, where GELU's inputs mostly are: beyond |x| = 4.9 the CPU's tanh stops at its
     * clamp, 1 - 2.4e-7 short of 1, which leaves its gelu' up to 2e-5 off the exact value there, where
     * CUDA's tanhf reaches 1.
     */
    @Test
    void gelu() {
        int n = N * 4 * C;
        Twin inp = ops.randn(n, 1), dout = ops.randn(n, 1), dinp = ops.randn(n, 1);
        ops.both(be -> be.geluBackward(dinp.on(be), inp.on(be), dout.on(be), n));
        ops.assertMatches("gelu_backward1 dinp", dinp, TOL, UNIT);
        ops.both(be -> be.geluBackward(dout.on(be), inp.on(be), dout.on(be), n));
        ops.assertMatches("gelu_backward1 in place", dout, TOL, UNIT);
    }

    @Test
    void relu() {
        int n = N * 4 * C;
        Twin inp = ops.randn(n, 1), dout = ops.randn(n, 1), dinp = ops.randn(n, 1);
        ops.both(be -> be.reluBackward(dinp.on(be), inp.on(be), dout.on(be), n));
        ops.assertMatches("relu_backward1 dinp", dinp, 0, UNIT);
    }

    @Test
    void dropoutMasksAreTheCpus() {
        int n = N * C;
        float p = 0.3f;
        Twin x = ops.randn(n, 1);
        ops.both(be -> be.dropout(x.on(be), n, p, 1234, 7));
        ops.assertMatches("dropout_forward1", x, 0, UNIT);
        float[] y = ops.cudaValues(x);
        int dropped = 0;
        for (float v : y) {
            dropped += v == 0f ? 1 : 0;
        }
        assertEquals(p, dropped / (double) n, 0.02, "share of dropped elements");
    }

    @Test
    void crossEntropyInPlace() {
        // probabilities from the forward on both, then dlogits over them, as the model does
        Twin logits = ops.randn(N * V, 3), losses = ops.zeros(N);
        int[] targets = ops.ids(N, V);
        targets[0] = -1;
        targets[N - 1] = -100;
        ops.both(be -> be.crossEntropyForward(losses.on(be), logits.on(be), targets, N, V));
        ops.both(be -> be.crossEntropyBackward(logits.on(be), logits.on(be), targets, 0.01f, N, V));
        ops.assertMatches("classifier_backward1 dlogits", logits, TOL, PROB);
        float[] d = ops.cudaValues(logits);
        for (int v = 0; v < V; v++) {
            assertEquals(0f, d[v], "dlogits of an ignored row");
        }
    }

    @Test
    void sumSquaresInDouble() {
        int n = 3 * (1 << 14) + 1001; // four blocks of global_norm_squared1, the last partial
        Twin x = ops.randn(n, 1);
        double cpu = ops.cpu.sumSquares(x.cpu()), cuda = ops.cuda.sumSquares(x.cuda());
        assertEquals(cpu, cuda, 1e-12 * cpu, "global_norm_squared1: sum of squares");
        assertEquals(0, ops.cuda.sumSquares(ops.zeros(0).cuda()), "sum of squares of nothing");
    }

    @Test
    void scale() {
        Twin x = ops.randn(N * C, 1);
        ops.both(be -> be.scale(x.on(be), 0.37f));
        ops.assertMatches("scale1", x, 0, UNIT);
    }

    @ParameterizedTest(name = "weight decay {0}")
    @ValueSource(floats = {0f, 0.1f})
    void adamw(float wd) {
        int n = N * C;
        Twin param = ops.randn(n, 1), grad = ops.randn(n, 1), m = ops.randn(n, 0.1);
        float[] v = ops.randnHost(n, 0.1);
        for (int i = 0; i < v.length; i++) {
            v[i] *= v[i]; // a second moment is not negative
        }
        Twin vt = ops.of(v);
        float bc1 = (float) (1 - Math.pow(0.9, 3)), bc2 = (float) (1 - Math.pow(0.95, 3));
        ops.both(be -> be.adamw(param.on(be), grad.on(be), m.on(be), vt.on(be), 1e-3f, 0.9f, 0.95f, 1e-8f, wd, bc1, bc2));
        ops.assertMatches("adamw1 param", param, TOL, UNIT);
        ops.assertMatches("adamw1 m", m, TOL, UNIT);
        ops.assertMatches("adamw1 v", vt, TOL, UNIT);
    }

    @Test
    void deviceMemoryIsReported() {
        var memory = ops.cuda.deviceMemory().orElseThrow();
        assertTrue(memory.used() > 0 && memory.used() <= memory.total(), memory.toString());
        assertTrue(ops.cpu.deviceMemory().isEmpty(), "the CPU backend has no device");
    }
}
