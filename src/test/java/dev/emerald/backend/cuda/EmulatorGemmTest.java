package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator's cuBLAS-style GEMMs against a column-major triple loop in double precision. */
class EmulatorGemmTest {
    private static final float[][] ALPHA_BETA = {{0.7f, -1.3f}, {1, 0}, {1, 1}, {-2, 0}, {1, 0.5f}, {0, 0.5f}};

    private EmulatorDevice dev;
    private final Random rnd = new Random(7);

    @BeforeEach
    void open() {
        dev = new EmulatorDevice(Emulators.kernels());
    }

    @AfterEach
    void close() {
        if (dev != null) {  // null where the emulator was not built
            dev.close();
        }
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private long upload(float[] x) {
        long d = dev.malloc(4L * x.length);
        dev.copyToDevice(d, x, 0, x.length);
        return d;
    }

    /** One GEMM of a batch: C0 is C before, C after, both at offsets; everything but C's m x n is unchanged. */
    private static void check(String what, boolean tA, boolean tB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
                              float[] c0, float[] c, int cOff, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double x = tA ? a[aOff + p + i * lda] : a[aOff + i + p * lda];
                    double y = tB ? b[bOff + j + p * ldb] : b[bOff + p + j * ldb];
                    s += x * y;
                    mag += Math.abs(x * y);
                }
                int ci = cOff + i + j * ldc;
                double want = alpha * s + (beta == 0 ? 0 : beta * c0[ci]);
                mag = Math.abs(alpha) * mag + (beta == 0 ? 0 : Math.abs(beta * c0[ci]));
                if (!(Math.abs(c[ci] - want) <= 1e-5 * mag + 1e-30)) {
                    fail(String.format("%s: C(%d, %d) = %g, want %g", what, i, j, c[ci], want));
                }
                c0[ci] = c[ci];  // checked here: the caller compares what remains, which must be unchanged
            }
        }
    }

    @Test
    void sgemmAllTransposesPaddedLeadingDimensionsAlphaBeta() {
        int[][] sizes = {{37, 23, 19}, {64, 96, 130}, {1, 50, 7}, {45, 1, 33}, {8, 9, 0}};
        for (boolean tA : new boolean[] {false, true}) {
            for (boolean tB : new boolean[] {false, true}) {
                for (int[] size : sizes) {
                    for (float[] ab : ALPHA_BETA) {
                        int m = size[0], n = size[1], k = size[2];
                        int lda = (tA ? k : m) + 3, ldb = (tB ? n : k) + 5, ldc = m + 2;
                        float[] a = random(lda * (tA ? m : k) + 4);
                        float[] b = random(ldb * (tB ? k : n) + 4);
                        float[] c0 = random(ldc * n + 4);
                        if (ab[1] == 0) {
                            Arrays.fill(c0, 0, ldc * n, Float.NaN);  // beta = 0: C is not read
                        }
                        long da = upload(a), db = upload(b), dc = upload(c0);
                        dev.sgemm(tA, tB, m, n, k, ab[0], da, lda, db, ldb, ab[1], dc, ldc);
                        float[] c = new float[c0.length];
                        dev.copyToHost(c, 0, dc, c.length);
                        String what = String.format("tA=%b tB=%b m=%d n=%d k=%d alpha=%g beta=%g",
                                tA, tB, m, n, k, ab[0], ab[1]);
                        check(what, tA, tB, m, n, k, ab[0], a, 0, lda, b, 0, ldb, ab[1], c0, c, 0, ldc);
                        assertArrayEquals(c0, c, what + ": outside C");
                    }
                }
            }
        }
    }

    @Test
    void stridedBatchedWithGapsBetweenMatrices() {
        int m = 19, n = 33, k = 24, batch = 5;
        for (boolean tA : new boolean[] {false, true}) {
            for (boolean tB : new boolean[] {false, true}) {
                for (float[] ab : ALPHA_BETA) {
                    int lda = (tA ? k : m) + 1, ldb = (tB ? n : k) + 2, ldc = m + 3;
                    int strideA = lda * (tA ? m : k) + 7, strideB = ldb * (tB ? k : n), strideC = ldc * n + 11;
                    float[] a = random(strideA * batch), b = random(strideB * batch), c0 = random(strideC * batch);
                    long da = upload(a), db = upload(b), dc = upload(c0);
                    dev.sgemmStridedBatched(tA, tB, m, n, k, ab[0], da, lda, strideA, db, ldb, strideB,
                            ab[1], dc, ldc, strideC, batch);
                    float[] c = new float[c0.length];
                    dev.copyToHost(c, 0, dc, c.length);
                    for (int i = 0; i < batch; i++) {
                        String what = String.format("tA=%b tB=%b alpha=%g beta=%g batch %d", tA, tB, ab[0], ab[1], i);
                        check(what, tA, tB, m, n, k, ab[0], a, i * strideA, lda, b, i * strideB, ldb, ab[1],
                                c0, c, i * strideC, ldc);
                    }
                    assertArrayEquals(c0, c, "outside the Cs");
                }
            }
        }
    }

    /** cublasGemmEx with bf16 A and B: exactly a float-accumulated GEMM of the bf16 values, so the same tolerance. */
    @Test
    void gemmBf16AllTransposesPaddedLeadingDimensionsAlphaBeta() {
        int m = 37, n = 23, k = 19;
        for (boolean tA : new boolean[] {false, true}) {
            for (boolean tB : new boolean[] {false, true}) {
                for (float[] ab : ALPHA_BETA) {
                    int lda = (tA ? k : m) + 3, ldb = (tB ? n : k) + 5, ldc = m + 2;
                    short[] a = Bf16.bits(random(lda * (tA ? m : k) + 4)), b = Bf16.bits(random(ldb * (tB ? k : n) + 4));
                    float[] c0 = random(ldc * n + 4);
                    long da = dev.malloc(2L * a.length), db = dev.malloc(2L * b.length), dc = upload(c0);
                    Bf16.write(da, a);
                    Bf16.write(db, b);
                    dev.gemmBf16(tA, tB, m, n, k, ab[0], da, lda, db, ldb, ab[1], dc, ldc);
                    float[] c = new float[c0.length];
                    dev.copyToHost(c, 0, dc, c.length);
                    String what = String.format("bf16 tA=%b tB=%b alpha=%g beta=%g", tA, tB, ab[0], ab[1]);
                    check(what, tA, tB, m, n, k, ab[0], Bf16.values(a), 0, lda, Bf16.values(b), 0, ldb, ab[1], c0, c, 0, ldc);
                    assertArrayEquals(c0, c, what + ": outside C");
                }
            }
        }
    }

    @Test
    void rejectsWhatCublasRejects() {
        long d = dev.malloc(4096);
        assertThrows(IllegalArgumentException.class, () -> dev.sgemm(false, false, 10, 10, 10, 1, d, 9, d, 10, 0, d, 10));
        assertThrows(IllegalArgumentException.class, () -> dev.sgemm(false, true, 10, 8, 10, 1, d, 10, d, 7, 0, d, 10));
        assertThrows(IllegalArgumentException.class, () -> dev.sgemm(true, false, 10, 10, 4, 1, d, 4, d, 4, 0, d, 9));
    }
}
