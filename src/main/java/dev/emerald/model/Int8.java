package dev.emerald.model;

import dev.emerald.util.UserException;

/**
 * Symmetric per-row int8 quantization (absmax): w[r][c] ≈ scale[r] * q[r][c] with scale[r] = max_c |w[r][c]| / 127
 * and q[r][c] = round(w[r][c] / scale[r]) in [-127, 127], so a row's error is at most half its scale. A row of
 * zeros has scale 0.
 */
public final class Int8 {
    private static final float LEVELS = 127f;

    private Int8() {
    }

    /** Quantizes the rows x cols matrix w at wOff (named for messages) into q at qOff and scales at sOff. */
    public static void quantize(String name, float[] w, int wOff, int rows, int cols, byte[] q, int qOff, float[] scales, int sOff) {
        for (int r = 0; r < rows; r++) {
            int row = wOff + r * cols;
            float absmax = 0;
            for (int c = 0; c < cols; c++) {
                absmax = Math.max(absmax, Math.abs(w[row + c]));
            }
            if (!Float.isFinite(absmax)) { // NaN falls through max as NaN
                throw new UserException("weight " + name + " has a value that is not a finite number in row " + r
                        + ": the checkpoint is damaged; quantize another one");
            }
            scales[sOff + r] = absmax / LEVELS;
            float inverse = absmax == 0 ? 0 : LEVELS / absmax;
            for (int c = 0; c < cols; c++) {
                int v = Math.round(w[row + c] * inverse);
                q[qOff + r * cols + c] = (byte) Math.clamp(v, -127, 127); // rounding may overshoot by one
            }
        }
    }

    /** w at wOff (rows x cols) = scale * q, row by row. */
    public static void dequantize(byte[] q, int qOff, float[] scales, int sOff, int rows, int cols, float[] w, int wOff) {
        for (int r = 0; r < rows; r++) {
            float s = scales[sOff + r];
            for (int c = 0; c < cols; c++) {
                w[wOff + r * cols + c] = s * q[qOff + r * cols + c];
            }
        }
    }
}
