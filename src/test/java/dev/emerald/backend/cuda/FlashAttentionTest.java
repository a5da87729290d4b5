package dev.emerald.backend.cuda;

import dev.emerald.backend.Backend;
import dev.emerald.backend.cuda.CpuVsCuda.Twin;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused attention (flash_attention_*.cu) on the emulator against {@code CpuBackend} and against the
 * unfused CUDA attention. T is a multiple of no tile size; head sizes 21, 32 and 64 run the 32-row
 * tiles, 128 the 16-row ones. Metric: {@link CpuVsCuda}'s, the relative error with the floor at the
 * scale of the terms, 1 for these unit-scale q, k, v: an output near 0 is a cancelling sum of terms up
 * to 100 times larger, whose float rounding (about 1e-7) is absolute, not relative. Any error in the
 * mask, the dropout index or the tiling is orders of magnitude above the tolerances.
 */
class FlashAttentionTest {

    private static final double FORWARD_TOL = 1e-5, BACKWARD_TOL = 1e-4, UNIT = 1;
    private static final long SEED = 1234, STREAM = 7;

    /** B, T, NH, hs. */
    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(2, 37, 3, 21), Arguments.of(1, 70, 2, 32), Arguments.of(2, 45, 2, 64),
                Arguments.of(1, 37, 2, 128));
    }

    static Stream<Arguments> shapesAndDropout() {
        return shapes().flatMap(s -> Stream.of(0f, 0.2f).map(p -> {
            Object[] a = s.get();
            return Arguments.of(a[0], a[1], a[2], a[3], p);
        }));
    }

    @ParameterizedTest(name = "B={0} T={1} NH={2} hs={3} dropout={4}")
    @MethodSource("shapesAndDropout")
    void matchesCpu(int B, int T, int NH, int hs, float dropout) {
        int C = NH * hs, n = B * T * C;
        try (CpuVsCuda ops = new CpuVsCuda(Emulators.backend(Attention.FUSED))) {
            Twin qkv = ops.randn(3 * n, 1), out = ops.randn(n, 1), dout = ops.randn(n, 1);
            Twin state = sized(ops, be -> be.attentionStateSize(B, T, C, NH));
            Twin scratch = sized(ops, be -> be.attentionScratchSize(B, T, C, NH));
            Twin dqkv = ops.randn(3 * n, 1); // garbage: the backward overwrites it
            ops.both(be -> be.attentionForward(out.on(be), state.on(be), qkv.on(be), B, T, C, NH, dropout, SEED, STREAM));
            assertMatches("out of " + forwardKernel(hs), ops, out, FORWARD_TOL);
            ops.both(be -> be.attentionBackward(dqkv.on(be), scratch.on(be), dout.on(be), out.on(be), qkv.on(be),
                    state.on(be), B, T, C, NH, dropout, SEED, STREAM));
            assertMatches("dqkv of " + backwardKernels(hs), ops, dqkv, BACKWARD_TOL);
        }
    }

    @ParameterizedTest(name = "B={0} T={1} NH={2} hs={3}")
    @MethodSource("shapes")
    void matchesUnfused(int B, int T, int NH, int hs) {
        int C = NH * hs;
        float[] qkv = new float[3 * B * T * C];
        Rng rng = Rng.of(5);
        for (int i = 0; i < qkv.length; i++) {
            qkv[i] = (float) rng.nextGaussian();
        }
        float[] fused = forward(Attention.FUSED, qkv, B, T, C, NH), unfused = forward(Attention.UNFUSED, qkv, B, T, C, NH);
        assertClose("out of " + forwardKernel(hs) + " vs unfused", fused, unfused, FORWARD_TOL, UNIT);
    }

    @Test
    void stateIsPerRowWhenFused() {
        int B = 2, T = 37, C = 96, NH = 3;
        try (CudaBackend fused = Emulators.backend(Attention.FUSED); CudaBackend unfused = Emulators.backend(Attention.UNFUSED)) {
            assertEquals(B * NH * T, fused.attentionStateSize(B, T, C, NH));
            assertEquals(B * NH * T, fused.attentionScratchSize(B, T, C, NH));
            assertEquals(B * NH * T * T, unfused.attentionStateSize(B, T, C, NH));
            assertEquals(B * NH * T * T, unfused.attentionScratchSize(B, T, C, NH));
            int wide = NH * (FlashAttention.MAX_HEAD_SIZE + 1); // heads too large for the tiles run unfused
            assertEquals(B * NH * T * T, fused.attentionStateSize(B, T, wide, NH));
        }
    }

    private static float[] forward(Attention attention, float[] qkvHost, int B, int T, int C, int NH) {
        try (CudaBackend cuda = Emulators.backend(attention)) {
            Tensor qkv = cuda.alloc(qkvHost.length), out = cuda.alloc((long) B * T * C);
            Tensor state = cuda.alloc(cuda.attentionStateSize(B, T, C, NH));
            cuda.upload(qkv, qkvHost);
            cuda.attentionForward(out, state, qkv, B, T, C, NH, 0f, SEED, STREAM);
            float[] result = new float[out.len()];
            cuda.download(out, result);
            return result;
        }
    }

    /** The kernels a head size runs, by name for the messages (and KernelCoverageTest). */
    private static String forwardKernel(int hs) {
        return hs <= 64 ? "flash_attention_forward_hs64" : "flash_attention_forward_hs128";
    }

    private static String backwardKernels(int hs) {
        return "flash_attention_backward_rowdot, " + (hs <= 64
                ? "flash_attention_backward_dkdv_hs64, flash_attention_backward_dq_hs64"
                : "flash_attention_backward_dkdv_hs128, flash_attention_backward_dq_hs128");
    }

    /** A tensor per backend of the size that backend asks for. */
    private static Twin sized(CpuVsCuda ops, ToLongFunction<Backend> size) {
        return new Twin(ops.cpu.alloc(size.applyAsLong(ops.cpu)), ops.cuda.alloc(size.applyAsLong(ops.cuda)));
    }

    private static void assertMatches(String what, CpuVsCuda ops, Twin t, double tol) {
        assertClose(what, ops.cudaValues(t), ops.cpuValues(t), tol, UNIT);
    }
}
