package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The emulator's math built-ins (math_functions in src/test/cuda/math.cu) against java.lang.Math. */
class MathFunctionsTest {
    private static final DoubleUnaryOperator[] REFERENCE = {
        Math::exp, x -> Math.log(Math.abs(x) + 1), x -> Math.sqrt(Math.abs(x)), x -> 1 / Math.sqrt(Math.abs(x) + 0.1),
        Math::tanh, x -> Math.max(x, 0.5), x -> Math.min(x, 0.5), Math::abs, x -> Math.pow(Math.abs(x), 1.5),
        Math::exp, x -> Math.log(Math.abs(x) + 1), x -> x / 3, MathFunctionsTest::erf, x -> Math.min(x, 0.25),
        x -> Math.max(x, 0.25), x -> Math.min((int) (x * 10), 3) + Math.max((int) (x * 10), -3) * 100.0, x -> 1,
    };

    /** erf's Maclaurin series, to about 1e-12 for |x| <= 3. */
    private static double erf(double x) {
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void matchJavaMath() {
        int n = 1000;
        float[] in = new float[n];
        Random rnd = new Random(5);
        for (int i = 0; i < n; i++) {
            in[i] = (float) (rnd.nextDouble() * 6 - 3);
        }
        try (EmulatorDevice dev = new EmulatorDevice(Emulators.testKernels())) {
            long din = dev.malloc(4L * n), dout = dev.malloc(4L * n * REFERENCE.length);
            dev.copyToDevice(din, in, 0, n);
            dev.launch("math_functions", (n + 127) / 128, 1, 1, 128, 1, 1, 0, dout, din, n);
            float[] out = new float[n * REFERENCE.length];
            dev.copyToHost(out, 0, dout, out.length);
            for (int k = 0; k < REFERENCE.length; k++) {
                for (int i = 0; i < n; i++) {
                    double want = REFERENCE[k].applyAsDouble(in[i]);
                    double got = out[k * n + i];
                    if (!(Math.abs(got - want) <= 2e-6 * Math.max(1, Math.abs(want)))) {
                        fail(String.format("function %d of %g: %g, want %g", k, in[i], got, want));
                    }
                }
            }
        }
    }
}
