package dev.emerald.backend.cpu;

import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The CPU backend's int8 matmul against a naive double-precision matmul of the dequantized weights
 * (scale * value), on sizes that are multiples of no vector length: one row (decoding), a few rows (the
 * streaming path), many rows (dequantized blocks through Sgemm, more than one block in the last case).
 */
class Int8MatmulTest {
    private static final int OFF = 3;
    private final CpuBackend cpu = new CpuBackend();
    private final Rng rng = Rng.of(11);

    @ParameterizedTest(name = "N {0}, C {1}, OC {2}, bias {3}")
    @CsvSource({"1, 84, 67, true", "1, 131, 5, false", "1, 16, 64, true", "3, 37, 250, true", "7, 1, 9, false",
            "8, 84, 67, true", "50, 129, 301, false", "111, 84, 1000, true", "9, 1100, 1000, true"})
    void matchesTheFloatMatmulOfTheDequantizedWeights(int N, int C, int OC, boolean withBias) {
        float[] x = gaussians(N * C, 1), s = gaussians(OC, 0.01), b = withBias ? gaussians(OC, 1) : null;
        byte[] q = new byte[OC * C];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (rng.nextInt(255) - 127);
        }
        Tensor inp = floats(x), scales = floats(s), bias = b == null ? null : floats(b), out = floats(gaussians(N * OC, 1));
        Tensor wq = cpu.allocInt8(OFF + q.length).slice(OFF, q.length);
        cpu.uploadInt8(wq, q);
        cpu.matmulForwardInt8(out, inp, wq, scales, bias, N, C, OC);
        float[] got = new float[N * OC];
        cpu.download(out, got);
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < OC; o++) {
                double want = b == null ? 0 : b[o], mag = Math.abs(want);
                for (int c = 0; c < C; c++) {
                    double term = x[n * C + c] * ((double) s[o] * q[o * C + c]);
                    want += term;
                    mag += Math.abs(term);
                }
                // float sums of C terms: rounding grows with the terms' magnitudes, not with the result
                if (!(Math.abs(got[n * OC + o] - want) <= 1e-6 * mag + 1e-30)) {
                    fail("out[" + n + "][" + o + "] = " + got[n * OC + o] + ", want " + want);
                }
            }
        }
    }

    @Test
    void tensorsOfTheWrongKindAreRefused() {
        Tensor f = cpu.alloc(12), q = cpu.allocInt8(12);
        assertThrows(IllegalArgumentException.class, () -> cpu.matmulForwardInt8(f, f, f, f, null, 1, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> cpu.matmulForwardInt8(q, f, q, f, null, 1, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> cpu.upload(q, new float[12]));
    }

    private float[] gaussians(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * rng.nextGaussian());
        }
        return v;
    }

    /** A tensor OFF floats into its storage, holding v. */
    private Tensor floats(float[] v) {
        Tensor t = cpu.alloc(OFF + v.length).slice(OFF, v.length);
        cpu.upload(t, v);
        return t;
    }
}
