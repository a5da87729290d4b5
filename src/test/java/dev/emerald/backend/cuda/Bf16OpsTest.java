package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emerald.backend.Backend;
import dev.emerald.backend.Precision;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CudaBackend's mixed-precision ops on the emulator. The ops that write bf16 activations must give exactly
 * their float kernel's result (itself checked against the CPU in CudaForwardOpsTest) rounded to nearest
 * even. The bf16 GEMMs must give the CPU backend's float GEMMs of the bf16-rounded operands: bf16
 * products are exact in float, so only the float sums' rounding differs, as between any two GEMMs (the
 * tolerance of CudaForwardOpsTest). Shapes are awkward (N = 111, C = 84, OC = 3C and 4C) and the cast
 * chunk small (1000 values) so that float operands are cast in several chunks of rows, the last partial.
 */
class Bf16OpsTest {
    private static final int N = 111, C = 84, CHUNK = 1000;
    private static final double TOL = 1e-5, UNIT = 1;

    private CudaBackend cuda;
    private final CpuBackend cpu = new CpuBackend();
    private final Rng rng = Rng.of(5);

    @BeforeEach
    void open() {
        cuda = new CudaBackend(new EmulatorDevice(Emulators.kernels()), Attention.UNFUSED, Precision.BF16, CHUNK);
    }

    @AfterEach
    void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    private float[] randn(int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (std * rng.nextGaussian());
        }
        return x;
    }

    private static Tensor upload(Backend be, float[] x) {
        Tensor t = be.alloc(x.length + 3).slice(3, x.length); // offsets exercised
        be.upload(t, x);
        return t;
    }

    /** x cast to a bf16 tensor on the emulator. */
    private Tensor bf16(float[] x) {
        Tensor t = cuda.allocBf16(x.length + 5).slice(5, x.length);
        cuda.castBf16(t, upload(cuda, x));
        return t;
    }

    private static float[] download(Backend be, Tensor t) {
        float[] x = new float[t.len()];
        be.download(t, x);
        return x;
    }

    /** op writing n values into a float tensor and into a bf16 one: the bf16 bits are the float result's, rounded. */
    private void assertRoundedOutput(String kernel, String floatKernel, int n, Consumer<Tensor> op) {
        Tensor f = cuda.alloc(n), h = cuda.allocBf16(n + 1).slice(1, n);
        op.accept(f);
        op.accept(h);
        assertArrayEquals(Bf16.bits(download(cuda, f)), Bf16.bits(h), kernel + " is " + floatKernel + " rounded");
    }

    @Test
    void layernormWritesRoundedBf16() {
        Tensor inp = upload(cuda, randn(N * C, 2)), w = upload(cuda, randn(C, 1)), b = upload(cuda, randn(C, 1));
        Tensor mean = cuda.alloc(N), rstd = cuda.alloc(N);
        assertRoundedOutput("layernorm_forward_bf16_1", "layernorm_forward1", N * C, out -> cuda.layernormForward(out, mean, rstd, inp, w, b, N, C));
    }

    @Test
    void activationsWriteRoundedBf16() {
        Tensor inp = upload(cuda, randn(N * 4 * C, 2));
        assertRoundedOutput("gelu_forward_bf16_1", "gelu_forward1", N * 4 * C, out -> cuda.geluForward(out, inp, N * 4 * C));
        assertRoundedOutput("relu_forward_bf16_1", "relu_forward1", N * 4 * C, out -> cuda.reluForward(out, inp, N * 4 * C));
    }

    /** matmulForward with a bf16 weight and a bf16 or float input, against the CPU's float GEMM of the rounded operands. */
    @ParameterizedTest(name = "OC = {0} C, bf16 input {1}")
    @CsvSource({"3, true", "3, false", "4, false"})
    void matmulForward(int widen, boolean bf16Input) {
        int OC = widen * C;
        float[] inp = randn(N * C, 1), w = randn(OC * C, 0.1), bias = randn(OC, 1);
        Tensor out = upload(cuda, randn(N * OC, 1)); // overwritten
        cuda.matmulForward(out, bf16Input ? bf16(inp) : upload(cuda, inp), bf16(w), upload(cuda, bias), N, C, OC);
        Tensor expected = cpu.alloc(N * OC);
        cpu.matmulForward(expected, upload(cpu, Bf16.rounded(inp)), upload(cpu, Bf16.rounded(w)), upload(cpu, bias), N, C, OC);
        CpuVsCuda.assertClose("bf16 matmul forward (bias_forward1 on float)", download(cuda, out), download(cpu, expected), TOL, UNIT);
    }

    /**
     * matmulBackward: dinp and dw from the rounded dout, input and weight, dw accumulated into what it held;
     * dbias from the float dout, unrounded.
     */
    @ParameterizedTest(name = "OC = {0} C, bf16 input {1}")
    @CsvSource({"3, true", "4, false", "1, false"})
    void matmulBackward(int widen, boolean bf16Input) {
        int OC = widen * C;
        float[] inp = randn(N * C, 1), w = randn(OC * C, 0.1), dout = randn(N * OC, 1), dw0 = randn(OC * C, 1), db0 = randn(OC, 1);
        Tensor dinp = upload(cuda, randn(N * C, 1)), dw = upload(cuda, dw0), dbias = upload(cuda, db0);
        cuda.matmulBackward(dinp, dw, dbias, upload(cuda, dout), bf16Input ? bf16(inp) : upload(cuda, inp), bf16(w), N, C, OC);

        Tensor eDinp = cpu.alloc(N * C), eDw = upload(cpu, dw0), eDbias = upload(cpu, db0), unused = upload(cpu, db0);
        cpu.matmulBackward(eDinp, eDw, unused, upload(cpu, Bf16.rounded(dout)), upload(cpu, Bf16.rounded(inp)),
                upload(cpu, Bf16.rounded(w)), N, C, OC);
        cpu.matmulBackward(cpu.alloc(N * C), cpu.alloc(OC * C), eDbias, upload(cpu, dout), upload(cpu, inp), upload(cpu, w), N, C, OC);
        CpuVsCuda.assertClose("bf16 matmul backward dinp", download(cuda, dinp), download(cpu, eDinp), TOL, UNIT);
        CpuVsCuda.assertClose("bf16 matmul backward dw", download(cuda, dw), download(cpu, eDw), TOL, UNIT);
        CpuVsCuda.assertClose("bf16 matmul backward dbias (float)", download(cuda, dbias), download(cpu, eDbias), TOL, UNIT);
    }

    @Test
    void tensorsOfTheWrongTypeAreRefused() {
        Tensor f = cuda.alloc(N * C), h = cuda.allocBf16(N * C), w = cuda.alloc(C * C);
        assertThrows(IllegalArgumentException.class, () -> cuda.matmulForward(f, h, w, null, N, C, C), "bf16 input, float weight");
        assertThrows(IllegalArgumentException.class, () -> cuda.matmulForward(h, f, cuda.allocBf16(C * C), null, N, C, C), "bf16 out");
        assertThrows(IllegalArgumentException.class, () -> cuda.castBf16(f, f), "cast into floats");
        assertThrows(IllegalArgumentException.class, () -> cuda.residualForward(f, h, f, N * C), "bf16 into a float op");
    }
}
