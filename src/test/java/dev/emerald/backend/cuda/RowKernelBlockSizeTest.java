package dev.emerald.backend.cuda;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one-block-per-row kernels launched directly on the emulator with block sizes CudaBackend does not
 * pick for these rows: one warp striding several times over a row, several warps, a block wider than
 * the row. The result must not depend on the block size.
 */
class RowKernelBlockSizeTest {

    private static final double TOL = 1e-5, PROB = 1e-6;

    private DeviceApi device;
    private final Rng rng = Rng.of(5);

    @BeforeEach
    void open() {
        device = new EmulatorDevice(Emulators.kernels());
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    private float[] randn(int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (std * rng.nextGaussian());
        }
        return x;
    }

    private long upload(float[] x) {
        long p = device.malloc(4L * x.length);
        device.copyToDevice(p, x, 0, x.length);
        return p;
    }

    private float[] download(long p, int n) {
        float[] x = new float[n];
        device.copyToHost(x, 0, p, n);
        return x;
    }

    @ParameterizedTest(name = "block {0}")
    @ValueSource(ints = {32, 64, 96, 512})
    void softmaxForward1(int block) {
        int T = 37, N = 2 * T; // two heads' rows
        float scale = 0.4f;
        float[] x = randn(N * T, 2);
        long inp = upload(x), out = upload(new float[N * T]);
        device.launch("softmax_forward1", N, 1, 1, block, 1, 1, 0, out, inp, scale, N, T);
        float[] y = download(out, N * T);
        // reference: the naive masked softmax in double
        float[] expected = new float[N * T];
        for (int row = 0; row < N; row++) {
            int t = row % T;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j <= t; j++) {
                max = Math.max(max, scale * x[row * T + j]);
            }
            for (int j = 0; j <= t; j++) {
                sum += Math.exp(scale * x[row * T + j] - max);
            }
            for (int j = 0; j < T; j++) {
                expected[row * T + j] = j <= t ? (float) (Math.exp(scale * x[row * T + j] - max) / sum) : 0f;
                if (j > t) {
                    assertEquals(0f, y[row * T + j], "masked out[" + row + "][" + j + "]");
                }
            }
        }
        assertClose("softmax_forward1, block " + block, y, expected, TOL, PROB);
    }

    /** Probabilities and gradients of unit scale (the kernel needs no normalised rows), so the floor is 1. */
    @ParameterizedTest(name = "block {0}")
    @ValueSource(ints = {32, 64, 96, 512})
    void softmaxBackward1(int block) {
        int T = 37, N = 2 * T;
        float scale = 0.4f;
        float[] att = new float[N * T], datt = randn(N * T, 1);
        for (int i = 0; i < att.length; i++) {
            att[i] = rng.nextFloat();
        }
        long a = upload(att), da = upload(datt);
        device.launch("softmax_backward1", N, 1, 1, block, 1, 1, 0, da, da, a, scale, N, T); // in place, as CudaBackend runs it
        float[] got = download(da, N * T);
        // reference: the formula in double
        float[] expected = new float[N * T];
        for (int row = 0; row < N; row++) {
            int t = row % T;
            double dot = 0;
            for (int j = 0; j <= t; j++) {
                dot += (double) att[row * T + j] * datt[row * T + j];
            }
            for (int j = 0; j <= t; j++) {
                expected[row * T + j] = (float) (scale * att[row * T + j] * (datt[row * T + j] - dot));
            }
            for (int j = t + 1; j < T; j++) {
                assertEquals(0f, got[row * T + j], "masked dpreatt[" + row + "][" + j + "]");
            }
        }
        assertClose("softmax_backward1, block " + block, got, expected, TOL, 1);
    }

    @ParameterizedTest(name = "block {0}")
    @ValueSource(ints = {32, 96, 512})
    void classifierForward1(int block) {
        int N = 5, V = 1000;
        float[] logits = randn(N * V, 3);
        int[] targets = {3, -1, 999, 0, 517};
        // reference: the CPU backend
        CpuBackend cpu = new CpuBackend();
        Tensor cpuLogits = cpu.alloc(N * V), cpuLosses = cpu.alloc(N);
        cpu.upload(cpuLogits, logits);
        cpu.crossEntropyForward(cpuLosses, cpuLogits, targets, N, V);
        float[] expectedProbs = new float[N * V], expectedLosses = new float[N];
        cpu.download(cpuLogits, expectedProbs);
        cpu.download(cpuLosses, expectedLosses);

        long probs = upload(logits), losses = upload(randn(N, 1)), tgt = device.malloc(4L * N);
        device.copyToDevice(tgt, targets, 0, N);
        device.launch("classifier_forward1", N, 1, 1, block, 1, 1, 0, losses, probs, tgt, N, V);
        assertClose("classifier_forward1 probs, block " + block, download(probs, N * V), expectedProbs, TOL, PROB);
        float[] l = download(losses, N);
        assertClose("classifier_forward1 losses, block " + block, l, expectedLosses, TOL, PROB);
        assertEquals(0f, l[1], "loss of the ignored row");
    }
}
