package dev.emerald.model;

import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Per-row absmax int8 quantization against its definition, computed naively in double. */
class Int8Test {
    private static final int ROWS = 7, COLS = 45, OFF = 5;

    /** Rows of Gaussians at different scales, one of zeros, one with a lone outlier, one whose largest value is negative. */
    private static float[] matrix() {
        Rng rng = Rng.of(3);
        float[] w = new float[OFF + ROWS * COLS];
        for (int r = 0; r < ROWS; r++) {
            double scale = Math.pow(10, r - 3);
            for (int c = 0; c < COLS; c++) {
                w[OFF + r * COLS + c] = r == 2 ? 0f : (float) (scale * rng.nextGaussian());
            }
        }
        w[OFF + 4 * COLS + 17] = 50f;
        w[OFF + 5 * COLS + 3] = -1e3f;
        return w;
    }

    @Test
    void quantizedValuesAreTheNearestLevelsOfTheRowsScale() {
        float[] w = matrix();
        byte[] q = new byte[3 + ROWS * COLS];
        float[] scales = new float[2 + ROWS];
        Int8.quantize("w", w, OFF, ROWS, COLS, q, 3, scales, 2);
        for (int r = 0; r < ROWS; r++) {
            double absmax = 0;
            for (int c = 0; c < COLS; c++) {
                absmax = Math.max(absmax, Math.abs((double) w[OFF + r * COLS + c]));
            }
            double scale = absmax / 127;
            assertEquals(scale, scales[2 + r], scale * 1e-6, "scale of row " + r);
            for (int c = 0; c < COLS; c++) {
                double x = w[OFF + r * COLS + c];
                int v = q[3 + r * COLS + c];
                if (scale == 0) {
                    assertEquals(0, v, "row of zeros");
                    continue;
                }
                // the nearest of the 255 levels: within half a level (plus float rounding of w / scale)
                if (!(Math.abs(v - x / scale) <= 0.5 + 1e-4) || v < -127 || v > 127) {
                    fail("row " + r + " col " + c + ": " + x + " quantized to " + v + " x " + scale);
                }
                if (Math.abs(x) == absmax) {
                    assertEquals(x > 0 ? 127 : -127, v, "the row's largest value is the extreme level");
                }
            }
        }
    }

    @Test
    void dequantizedValuesAreScaleTimesLevelWithinHalfALevelOfTheWeights() {
        float[] w = matrix();
        byte[] q = new byte[ROWS * COLS];
        float[] scales = new float[ROWS];
        Int8.quantize("w", w, OFF, ROWS, COLS, q, 0, scales, 0);
        float[] back = new float[1 + ROWS * COLS];
        Int8.dequantize(q, 0, scales, 0, ROWS, COLS, back, 1);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                int i = r * COLS + c;
                assertEquals((double) scales[r] * q[i], back[1 + i], Math.ulp(back[1 + i]), "row " + r + " col " + c);
                assertTrue(Math.abs(back[1 + i] - w[OFF + i]) <= 0.5 * scales[r] * (1 + 1e-4),
                        "row " + r + " col " + c + ": " + w[OFF + i] + " came back as " + back[1 + i]);
            }
        }
    }

    @Test
    void aNonFiniteWeightIsRefusedByName() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] w = matrix();
            w[OFF + 3 * COLS + 8] = bad;
            UserException e = assertThrows(UserException.class,
                    () -> Int8.quantize("transformer.h.0.mlp.c_fc.weight", w, OFF, ROWS, COLS, new byte[ROWS * COLS], 0, new float[ROWS], 0));
            assertTrue(e.getMessage().contains("transformer.h.0.mlp.c_fc.weight") && e.getMessage().contains("row 3"), e.getMessage());
        }
    }
}
