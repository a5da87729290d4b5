package dev.emerald.backend.cpu;

import dev.emerald.backend.DropoutRng;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VectorDropoutTest {
    /** Element by element the scalar stream's decision and scale, at offsets, lengths and rates that cut vectors anywhere. */
    @Test
    void sameMaskAndScaleAsTheScalarStream() {
        Random rnd = new Random(3);
        for (float p : new float[] {0.1f, 0.2f, 0.5f, 0.75f, 1e-7f, 0.99f}) {
            for (int rep = 0; rep < 20; rep++) {
                int n = rnd.nextInt(100), si = rnd.nextInt(9), di = rnd.nextInt(9);
                long seed = rnd.nextLong(), stream = rnd.nextInt(50), index = rnd.nextLong() >>> 2;
                float[] src = new float[si + n], dst = new float[di + n + 3];
                for (int i = 0; i < src.length; i++) {
                    src[i] = (float) rnd.nextGaussian();
                }
                VectorDropout.apply(src, si, dst, di, n, p, seed, stream, index);
                for (int j = 0; j < n; j++) {
                    float want = DropoutRng.uniform(seed, stream, index + j) >= p ? src[si + j] * (1f / (1f - p)) : 0f;
                    assertEquals(want, dst[di + j], "p=" + p + " element " + j);
                }
                for (int j = di + n; j < dst.length; j++) {
                    assertEquals(0f, dst[j], "written past the range");
                }
            }
        }
    }

    /** Uniform values just either side of p: the integer threshold decides as the float comparison does. */
    @Test
    void thresholdIsExact() {
        long seed = 11, stream = 2;
        int n = 4096;
        float[] src = new float[n], dst = new float[n];
        java.util.Arrays.fill(src, 1f);
        for (int probe = 0; probe < 64; probe++) {
            float p = DropoutRng.uniform(seed, stream, probe); // an exact draw: kept (>= p) at this index
            VectorDropout.apply(src, 0, dst, 0, n, p, seed, stream, 0);
            for (int j = 0; j < n; j++) {
                assertEquals(DropoutRng.uniform(seed, stream, j) >= p, dst[j] != 0f, "p=" + p + " element " + j);
            }
        }
    }
}
