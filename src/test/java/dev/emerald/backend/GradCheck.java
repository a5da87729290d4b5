package dev.emerald.backend;

import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.fail;

/** Central finite differences in double precision, and a comparison that names what differs. */
public final class GradCheck {
    private GradCheck() {
    }

    /** d f / d x[i] by central differences, f evaluated in double on a perturbed copy. */
    public static double[] numeric(ToDoubleFunction<double[]> f, double[] x, double eps) {
        double[] g = new double[x.length];
        double[] y = x.clone();
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] + eps;
            double plus = f.applyAsDouble(y);
            y[i] = x[i] - eps;
            double minus = f.applyAsDouble(y);
            y[i] = x[i];
            g[i] = (plus - minus) / (2 * eps);
        }
        return g;
    }

    /** |actual - expected| <= atol + rtol * |expected| everywhere, else fail naming the first element that is off. */
    public static void assertClose(String what, double[] expected, float[] actual, int actualOff, double rtol, double atol) {
        for (int i = 0; i < expected.length; i++) {
            double a = actual[actualOff + i], e = expected[i];
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                fail(what + "[" + i + "]: expected " + e + " but got " + a + " (diff " + Math.abs(a - e) + ")");
            }
        }
    }

    public static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        assertClose(what, expected, actual, 0, rtol, atol);
    }

    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    public static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
