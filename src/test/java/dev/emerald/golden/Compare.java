package dev.emerald.golden;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tensor comparison against a reference. The relative error of an element is |a - b| / max(|b|, floor),
 * floor = 1% of the tensor's largest |b|: elements near zero (a logit or a gradient that is a cancellation)
 * are judged on the tensor's scale, as float32 cannot resolve them on their own (float32 logits of
 * size 7e-4 are off by 1e-6 when their terms are of size 0.1).
 */
final class Compare {
    private Compare() {
    }

    /** The largest relative error, or fails naming the tensor, the element and both values. */
    static double assertClose(String what, float[] actual, float[] expected, double tolerance) {
        if (actual.length != expected.length) {
            fail(what + ": " + actual.length + " elements, PyTorch has " + expected.length);
        }
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double floor = 1e-2 * scale, worst = 0;
        int at = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
            if (!(err <= worst)) { // NaN counts as the worst
                worst = err;
                at = i;
                if (Double.isNaN(err)) {
                    break;
                }
            }
        }
        if (!(worst <= tolerance)) {
            fail(String.format("%s differs from PyTorch: max relative error %.3g at element %d (emerald %.9g, pytorch %.9g), tolerance %.0e",
                    what, worst, at, actual[at], expected[at], tolerance));
        }
        return worst;
    }

    /** The largest |a - b|, or fails unless it is at most bound, naming the tensor, the element and both values. */
    static double assertWithin(String what, float[] actual, float[] expected, double bound) {
        int at = -1;
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        if (!(worst <= bound)) {
            fail(String.format("%s differs from PyTorch: |difference| %.3g at element %d (emerald %.9g, pytorch %.9g), bound %.3g",
                    what, worst, at, actual[at], expected[at], bound));
        }
        return worst;
    }
}
