package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** layernorm.cu in the emulator against CpuBackend.layernormForward. */
class LayernormKernelTest {

    private static float[] random(Random rnd, int n, double scale, double shift) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * scale + shift);
        }
        return x;
    }

    private static void assertClose(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])))) {
                fail(String.format("%s[%d] = %g, want %g", what, i, got[i], want[i]));
            }
        }
    }

    @Test
    void forward1MatchesTheCpuBackend() {
        Random rnd = new Random(11);
        CpuBackend cpu = new CpuBackend();
        try (EmulatorDevice dev = new EmulatorDevice(Emulators.kernels())) {
            for (int[] shape : new int[][] {{37, 67}, {37, 768}, {5, 1}}) {
                int N = shape[0], C = shape[1];
                float[] inp = random(rnd, N * C, 2, 3), w = random(rnd, C, 1, 1), b = random(rnd, C, 1, 0);
                Tensor out = cpu.alloc(N * C), mean = cpu.alloc(N), rstd = cpu.alloc(N);
                Tensor tInp = cpu.alloc(N * C), tW = cpu.alloc(C), tB = cpu.alloc(C);
                cpu.upload(tInp, inp);
                cpu.upload(tW, w);
                cpu.upload(tB, b);
                cpu.layernormForward(out, mean, rstd, tInp, tW, tB, N, C);

                long dOut = dev.malloc(4L * N * C), dMean = dev.malloc(4L * N), dRstd = dev.malloc(4L * N);
                long dInp = dev.malloc(4L * N * C), dW = dev.malloc(4L * C), dB = dev.malloc(4L * C);
                dev.copyToDevice(dInp, inp, 0, N * C);
                dev.copyToDevice(dW, w, 0, C);
                dev.copyToDevice(dB, b, 0, C);
                int block = 128;  // 4 rows per block; the last block's surplus warps have no row
                int grid = (N * 32 + block - 1) / block;
                dev.launch("layernorm_forward1", grid, 1, 1, block, 1, 1, 0, dOut, dMean, dRstd, dInp, dW, dB, N, C);

                String at = "N=" + N + " C=" + C + " ";
                assertClose(at + "out", download(cpu, out), download(dev, dOut, N * C));
                assertClose(at + "mean", download(cpu, mean), download(dev, dMean, N));
                assertClose(at + "rstd", download(cpu, rstd), download(dev, dRstd, N));
            }
        }
    }

    private static float[] download(CpuBackend cpu, Tensor t) {
        float[] x = new float[t.len()];
        cpu.download(t, x);
        return x;
    }

    private static float[] download(EmulatorDevice dev, long address, int n) {
        float[] x = new float[n];
        dev.copyToHost(x, 0, address, n);
        return x;
    }
}
