package dev.emerald.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SgemmTest {
    private static final int[] SIZES = {1, 3, 17, 31, 33, 65, 100};

    /** Checks c against a double-precision triple loop; c's old value (c0) counts when accumulate. */
    private static void check(boolean tA, boolean tB, int M, int N, int K, float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb, boolean acc, float[] c0, float[] c, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0;
                double mag = 0;
                for (int k = 0; k < K; k++) {
                    double x = tA ? a[aOff + k * lda + i] : a[aOff + i * lda + k];
                    double y = tB ? b[bOff + j * ldb + k] : b[bOff + k * ldb + j];
                    s += x * y;
                    mag += Math.abs(x * y);
                }
                int ci = cOff + i * ldc + j;
                if (acc) {
                    s += c0[ci];
                    mag += Math.abs(c0[ci]);
                }
                double diff = Math.abs(c[ci] - s);
                if (!(diff <= 1e-4 * mag + 1e-30)) {
                    fail(String.format("tA=%b tB=%b M=%d N=%d K=%d acc=%b: C[%d][%d] = %g, want %g",
                            tA, tB, M, N, K, acc, i, j, c[ci], s));
                }
            }
        }
        // Everything outside the M x N window (padding columns, the offset prefix) stays untouched.
        for (int ci = 0; ci < c.length; ci++) {
            int rel = ci - cOff;
            boolean inside = rel >= 0 && rel / ldc < M && rel % ldc < N;
            if (!inside && Float.floatToRawIntBits(c[ci]) != Float.floatToRawIntBits(c0[ci])) {
                fail(String.format("tA=%b tB=%b M=%d N=%d K=%d: wrote outside C at %d", tA, tB, M, N, K, ci));
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private static void run(Random rnd, boolean tA, boolean tB, int M, int N, int K, boolean acc, int pad) {
        int aRows = tA ? K : M, aCols = tA ? M : K;
        int bRows = tB ? N : K, bCols = tB ? K : N;
        int lda = aCols + pad, ldb = bCols + pad, ldc = N + pad;
        int aOff = pad * 3, bOff = pad * 5, cOff = pad * 7;
        float[] a = random(rnd, aOff + Math.max(0, (aRows - 1) * lda + aCols));
        float[] b = random(rnd, bOff + Math.max(0, (bRows - 1) * ldb + bCols));
        float[] c0 = random(rnd, cOff + (M - 1) * ldc + N + pad);
        float[] c = c0.clone();
        Sgemm.gemm(tA, tB, M, N, K, a, aOff, lda, b, bOff, ldb, acc, c, cOff, ldc);
        check(tA, tB, M, N, K, a, aOff, lda, b, bOff, ldb, acc, c0, c, cOff, ldc);
    }

    @Test
    void allVariantsAwkwardSizes() {
        Random rnd = new Random(1);
        for (boolean tA : new boolean[] {false, true}) {
            for (boolean tB : new boolean[] {false, true}) {
                for (int M : SIZES) {
                    for (int N : SIZES) {
                        for (int K : SIZES) {
                            boolean acc = ((M + N + K) & 1) == 0;
                            run(rnd, tA, tB, M, N, K, acc, (M * 7 + N * 3 + K) % 5);
                        }
                    }
                }
            }
        }
    }

    @Test
    void largerThanOneBlock() {
        // K past one K block, M past one M block, N past many panels, few rows split over the threads,
        // wide and short with K past a block (computed transposed) and without, with and without padding.
        Random rnd = new Random(2);
        int[][] shapes = {{257, 100, 300}, {130, 257, 513}, {300, 65, 257}, {64, 96, 256}, {70, 600, 40},
            {3, 1000, 300}, {1, 2001, 257}, {20, 301, 600}};
        for (int[] s : shapes) {
            for (boolean tA : new boolean[] {false, true}) {
                for (boolean tB : new boolean[] {false, true}) {
                    run(rnd, tA, tB, s[0], s[1], s[2], tA, tB ? 3 : 0);
                    run(rnd, tA, tB, s[0], s[1], s[2], !tA, 0);
                }
            }
        }
    }

    @Test
    void weightGradientAddsTheBiasGradient() {
        // Fewer rows than a panel, a partial last panel, several K blocks, and wide and short (threads split
        // C's columns) with full and partial panels, and past one NC block per thread; with padding.
        Random rnd = new Random(4);
        int[][] shapes = {{5, 40, 300}, {13, 70, 1100}, {130, 257, 513}, {40, 300, 600}, {24, 100, 520}, {64, 96, 256},
            {20, 1100, 600}};
        for (int[] s : shapes) {
            for (int pad : new int[] {0, 3}) {
                int M = s[0], N = s[1], K = s[2];
                int lda = M + pad, ldb = N + pad, ldc = N + pad, aOff = pad, bOff = 2 * pad, cOff = 3 * pad;
                float[] a = random(rnd, aOff + (K - 1) * lda + M);
                float[] b = random(rnd, bOff + (K - 1) * ldb + N);
                float[] c0 = random(rnd, cOff + (M - 1) * ldc + N + pad);
                float[] c = c0.clone();
                float[] sums0 = random(rnd, M + 2 * pad);
                float[] sums = sums0.clone();
                Sgemm.weightGradient(M, N, K, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, sums, pad);
                check(true, false, M, N, K, a, aOff, lda, b, bOff, ldb, true, c0, c, cOff, ldc);
                for (int i = 0; i < sums.length; i++) {
                    if (i < pad || i >= pad + M) {
                        assertEquals(sums0[i], sums[i], 0f, "outside the sums at " + i);
                        continue;
                    }
                    double want = sums0[i];
                    double mag = Math.abs(sums0[i]);
                    for (int k = 0; k < K; k++) {
                        want += a[aOff + k * lda + i - pad];
                        mag += Math.abs(a[aOff + k * lda + i - pad]);
                    }
                    assertEquals(want, sums[i], 1e-5 * mag, "M=" + M + " N=" + N + " K=" + K + " sum " + (i - pad));
                }
            }
        }
    }

    @Test
    void modelShapesAllVariants() {
        // The linear layer's three products at a small training shape with an odd vocab-like width.
        Random rnd = new Random(3);
        int n = 192, c = 128, oc = 65;
        run(rnd, false, true, n, oc, c, false, 0);  // forward: inp @ W^T
        run(rnd, false, false, n, c, oc, false, 0); // dinp = dout @ W
        run(rnd, true, false, oc, c, n, true, 0);   // dW += dout^T @ inp
    }

    @Test
    void zeroKClearsOrKeeps() {
        float[] c = {1, 2, 3, 4};
        Sgemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, true, c, 0, 2);
        assertEquals(10f, c[0] + c[1] + c[2] + c[3]);
        Sgemm.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, false, c, 0, 2);
        assertTrue(c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0);
    }

    @Test
    void concurrentCallersGetCorrectResults() throws Exception {
        // Callers racing for the worker pool (one of them runs inline) must not share scratch buffers.
        Thread[] threads = new Thread[3];
        Throwable[] failures = new Throwable[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    Random rnd = new Random(10 + id);
                    for (int rep = 0; rep < 5; rep++) {
                        run(rnd, id == 1, id == 2, 150 + id, 90 + id, 300, rep % 2 == 0, id);
                    }
                } catch (Throwable e) {
                    failures[id] = e;
                }
            });
            threads[t].start();
        }
        for (int t = 0; t < threads.length; t++) {
            threads[t].join();
            if (failures[t] != null) {
                throw new AssertionError("caller " + t, failures[t]);
            }
        }
    }

    @Test
    void repeatedCallsGiveIdenticalResults() {
        // Reused scratch buffers must not leak state between calls of different shapes.
        Random rnd = new Random(4);
        float[] a = random(rnd, 100 * 70);
        float[] b = random(rnd, 70 * 90);
        float[] c1 = new float[100 * 90];
        float[] c2 = new float[100 * 90];
        Sgemm.gemm(false, false, 100, 90, 70, a, 0, 70, b, 0, 90, false, c1, 0, 90);
        Sgemm.gemm(true, true, 33, 17, 5, a, 0, 33, b, 0, 5, false, new float[33 * 17], 0, 17);
        Sgemm.gemm(false, false, 100, 90, 70, a, 0, 70, b, 0, 90, false, c2, 0, 90);
        for (int i = 0; i < c1.length; i++) {
            assertEquals(Float.floatToRawIntBits(c1[i]), Float.floatToRawIntBits(c2[i]), "element " + i);
        }
    }
}
