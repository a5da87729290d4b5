package dev.emerald.backend.cuda;

import dev.emerald.backend.Backend;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.Rng;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs ops on the CPU backend (the reference) and on a CUDA backend from the same inputs and compares
 * the results by the largest relative error with a floor, {@code |cuda - cpu| / max(|cpu|, floor)}.
 * The floor is the scale of the terms a value is computed from: 1 for sums and normalisations of the
 * unit-scale inputs the tests use, where a result near 0 comes from cancellation and float rounding
 * is absolute (about 1e-7) rather than relative; 1e-6 for probabilities and losses, whose error is
 * relative all the way down.
 */
public final class CpuVsCuda implements AutoCloseable {

    /** Every tensor sits this many floats into its storage, so that offsets are exercised. */
    private static final int OFFSET = 3;

    final CpuBackend cpu = new CpuBackend();
    final CudaBackend cuda;
    final Rng rng = Rng.of(42);

    /** A tensor of each backend holding the same values. */
    record Twin(Tensor cpu, Tensor cuda) {
        Tensor on(Backend be) {
            return be instanceof CpuBackend ? cpu : cuda;
        }
    }

    CpuVsCuda(CudaBackend cuda) {
        this.cuda = cuda;
    }

    /** Runs op on both backends. */
    void both(Consumer<Backend> op) {
        op.accept(cpu);
        op.accept(cuda);
    }

    Twin of(float[] values) {
        Twin t = zeros(values.length);
        cpu.upload(t.cpu, values);
        cuda.upload(t.cuda, values);
        return t;
    }

    /** Int8 tensors of each backend holding the same values. */
    Twin int8(byte[] values) {
        int n = values.length;
        Twin t = new Twin(cpu.allocInt8(n + OFFSET).slice(OFFSET, n), cuda.allocInt8(n + OFFSET).slice(OFFSET, n));
        cpu.uploadInt8(t.cpu, values);
        cuda.uploadInt8(t.cuda, values);
        return t;
    }

    Twin zeros(int n) {
        return new Twin(cpu.alloc(n + OFFSET).slice(OFFSET, n), cuda.alloc(n + OFFSET).slice(OFFSET, n));
    }

    Twin randn(int n, double std) {
        return of(randnHost(n, std));
    }

    float[] randnHost(int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (std * rng.nextGaussian());
        }
        return x;
    }

    /** n ids in [0, bound). */
    int[] ids(int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextInt(bound);
        }
        return x;
    }

    float[] cpuValues(Twin t) {
        float[] x = new float[t.cpu.len()];
        cpu.download(t.cpu, x);
        return x;
    }

    float[] cudaValues(Twin t) {
        float[] x = new float[t.cuda.len()];
        cuda.download(t.cuda, x);
        return x;
    }

    /** Fails, naming the worst element, unless the CUDA values are within tol of the CPU values. */
    void assertMatches(String what, Twin t, double tol, double floor) {
        assertClose(what, cudaValues(t), cpuValues(t), tol, floor);
    }

    public static void assertClose(String what, float[] actual, float[] expected, double tol, double floor) {
        int worst = 0;
        double max = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
            if (!(err <= max)) { // NaN counts as the worst
                max = err;
                worst = i;
                if (Double.isNaN(err)) {
                    break;
                }
            }
        }
        if (!(max <= tol)) {
            fail(what + ": relative error " + max + " > " + tol + " at [" + worst + "]: cuda " + actual[worst]
                    + ", cpu " + expected[worst]);
        }
    }

    @Override
    public void close() {
        cuda.close();
    }
}
