package dev.emerald.backend.cuda;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real GPU against plain Java: copies, memset, kernels, and cuBLAS (float and bf16) against a naive column-major GEMM. */
class JCudaDeviceTest {
    private static JCudaDevice gpu;
    private final List<Long> allocations = new ArrayList<>();

    /** Skips each test, with the probe's reason, where no GPU works; opens the GPU for the first that runs. */
    @BeforeEach
    void needsAGpu() {
        CudaProbe.Status status = CudaProbe.status();
        assumeTrue(status.available(), () -> "needs a working CUDA GPU: " + status.unavailableReason().orElseThrow());
        if (gpu == null) {
            gpu = new JCudaDevice(0, TestKernels.library());
        }
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
    }

    @AfterEach
    void freeAll() {
        for (long address : allocations) {
            gpu.free(address);
        }
    }

    private long alloc(long floats) {
        long address = gpu.malloc(floats * Float.BYTES);
        allocations.add(address);
        return address;
    }

    private long upload(float[] host) {
        long address = alloc(host.length);
        gpu.copyToDevice(address, host, 0, host.length);
        return address;
    }

    private static float[] download(long address, int n) {
        float[] host = new float[n];
        gpu.copyToHost(host, 0, address, n);
        return host;
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void copiesRoundTripWithOffsets() {
        float[] src = random(1000, 1);
        long a = alloc(1000), b = alloc(1000);
        gpu.copyToDevice(a + 3 * Float.BYTES, src, 5, 990); // a[3..993) = src[5..995)
        gpu.copyDeviceToDevice(b, a + 3 * Float.BYTES, 990L * Float.BYTES); // b[0..990) = src[5..995)
        float[] back = new float[1000];
        gpu.copyToHost(back, 7, b, 990); // back[7..997) = src[5..995)
        assertArrayEquals(Arrays.copyOfRange(src, 5, 995), Arrays.copyOfRange(back, 7, 997));
        assertArrayEquals(new float[7], Arrays.copyOfRange(back, 0, 7), "nothing written before dstOff");
    }

    @Test
    void intsArriveBitForBit() {
        int[] ids = {0, 1, -1, 50256, Integer.MAX_VALUE, Integer.MIN_VALUE, 12345};
        long d = alloc(ids.length - 2);
        gpu.copyToDevice(d, ids, 2, ids.length - 2);
        float[] bits = download(d, ids.length - 2);
        for (int i = 0; i < bits.length; i++) {
            assertEquals(ids[i + 2], Float.floatToRawIntBits(bits[i]));
        }
    }

    /** Int8 weights: bytes at any offset, little-endian under a float's bits (float 1 is 00 80 3f 00, float 2 00 00 40 00). */
    @Test
    void bytesArriveAtByteOffsets() {
        long d = alloc(3);
        gpu.memsetZero(d, 12);
        gpu.copyToDevice(d + 3, new byte[] {9, 0x00, 0x00, (byte) 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40}, 1, 8);
        float[] got = download(d, 3);
        assertArrayEquals(new int[] {0, 0x003f8000, 0x00400000},
                new int[] {Float.floatToRawIntBits(got[0]), Float.floatToRawIntBits(got[1]), Float.floatToRawIntBits(got[2])});
    }

    @Test
    void doublesArriveBitForBit() {
        double[] x = {Math.PI, -0.0, Double.MIN_VALUE, 1e300};
        long d = alloc(2L * x.length);
        gpu.copyToDevice(d, DoubleBits.words(x), 0, 2 * x.length);
        double[] back = new double[x.length + 1];
        gpu.copyToHost(back, 1, d, x.length);
        assertArrayEquals(new double[] {0, Math.PI, -0.0, Double.MIN_VALUE, 1e300}, back);
    }

    @Test
    void memsetZeroesExactlyItsRange() {
        float[] src = random(256, 2);
        long d = upload(src);
        gpu.memsetZero(d + 10 * Float.BYTES, 100L * Float.BYTES);
        float[] expected = src.clone();
        Arrays.fill(expected, 10, 110, 0f);
        assertArrayEquals(expected, download(d, 256));
    }

    @Test
    void emptyAllocationsAreNull() {
        assertEquals(0, gpu.malloc(0));
        gpu.free(0);
    }

    @Test
    void memoryInfoSeesAnAllocation() {
        long[] before = gpu.memoryInfo();
        assertTrue(before[1] > 0 && before[0] > 0 && before[0] <= before[1], Arrays.toString(before));
        long bytes = 256L << 20;
        long d = gpu.malloc(bytes);
        long[] during = gpu.memoryInfo();
        gpu.free(d);
        assertEquals(before[1], during[1]);
        assertTrue(before[0] - during[0] >= bytes, before[0] + " -> " + during[0]);
    }

    @Test
    void tooLargeAnAllocationIsAUserError() {
        UserException e = assertThrows(UserException.class, () -> gpu.malloc(1L << 50));
        assertTrue(e.getMessage().contains("out of memory") && e.getMessage().contains("--device cpu"), e.getMessage());
    }

    @Test
    void describesTheDevice() {
        CudaProbe.DeviceInfo info = CudaProbe.devices().getFirst();
        assertTrue(gpu.describe().startsWith(info.name() + " (sm_" + info.major() + info.minor() + ", "), gpu.describe());
    }

    // ---- kernels ----------------------------------------------------------------------------

    @Test
    void launchesAKernelWithPointerFloatIntAndLongArguments() {
        int n = 1000, off = 7;
        float a = 0.37f;
        float[] x = random(n, 3), y = random(n + 2 * off, 4);
        long dx = upload(x), dy = upload(y);
        gpu.launch("test_axpy", (n + 127) / 128, 1, 1, 128, 1, 1, 0, dy, dx, a, n, (long) off);
        float[] expected = y.clone();
        for (int i = 0; i < n; i++) {
            expected[i + off] = Math.fma(x[i], a, y[i + off]); // the kernel's fma.rn.f32
        }
        assertArrayEquals(expected, download(dy, y.length));
    }

    @Test
    void launchesWithMoreThan48KiBOfDynamicSharedMemory() {
        int n = 16384; // 64 KiB of floats in shared memory
        float[] in = random(n, 5);
        long din = upload(in), dout = alloc(n);
        gpu.launch("test_shared_reverse", 1, 1, 1, 256, 1, 1, n * Float.BYTES, dout, din, n);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = in[n - 1 - i];
        }
        assertArrayEquals(expected, download(dout, n));
    }

    @Test
    void argumentsThatDoNotMatchTheKernelAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> gpu.launch("test_axpy", 1, 1, 1, 32, 1, 1, 0, 0L, 0L, 1f, 10, 7)); // int for the long long
        assertTrue(e.getMessage().contains("test_axpy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gpu.launch("test_axpy", 1, 1, 1, 32, 1, 1, 0, 0L, 0L));
        assertThrows(IllegalArgumentException.class, () -> gpu.launch("no_such_kernel", 1, 1, 1, 32, 1, 1, 0));
    }

    // ---- cuBLAS -----------------------------------------------------------------------------

    /** C (m, n) = alpha op(A) op(B) + beta C, column-major, in double: the cuBLAS definition. */
    private static void naiveSgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double opA = transA ? a[aOff + p + i * lda] : a[aOff + i + p * lda];
                    double opB = transB ? b[bOff + j + p * ldb] : b[bOff + p + j * ldb];
                    sum += opA * opB;
                }
                c[cOff + i + j * ldc] = (float) (alpha * sum + beta * c[cOff + i + j * ldc]);
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            float tolerance = 1e-4f + 1e-4f * Math.abs(expected[i]);
            assertEquals(expected[i], actual[i], tolerance, what + " at " + i);
        }
    }

    @Test
    void sgemmMatchesTheDefinitionForEveryTranspose() {
        int m = 37, n = 29, k = 43, pad = 3;
        float alpha = 0.7f, beta = -1.3f;
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                int lda = (transA ? k : m) + pad, ldb = (transB ? n : k) + pad, ldc = m + pad;
                float[] a = random(lda * (transA ? m : k), 6), b = random(ldb * (transB ? k : n), 7), c = random(ldc * n, 8);
                long da = upload(a), db = upload(b), dc = upload(c);
                gpu.sgemm(transA, transB, m, n, k, alpha, da, lda, db, ldb, beta, dc, ldc);
                naiveSgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
                assertClose(c, download(dc, c.length), "transA=" + transA + " transB=" + transB);
            }
        }
    }

    /** cublasGemmEx on bf16 A and B with float accumulation: the definition on the bf16 values (exact products). */
    @Test
    void bf16GemmMatchesTheDefinitionOnTheRoundedValuesForEveryTranspose() {
        int m = 37, n = 29, k = 43, pad = 3;
        float alpha = 0.7f, beta = -1.3f;
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                int lda = (transA ? k : m) + pad, ldb = (transB ? n : k) + pad, ldc = m + pad;
                short[] a = Bf16.bits(random(lda * (transA ? m : k), 12)), b = Bf16.bits(random(ldb * (transB ? k : n), 13));
                float[] c = random(ldc * n, 14);
                long da = alloc((a.length + 1) / 2), db = alloc((b.length + 1) / 2), dc = upload(c);
                gpu.copyToDevice(da, Bf16.packed(a), 0, (a.length + 1) / 2);
                gpu.copyToDevice(db, Bf16.packed(b), 0, (b.length + 1) / 2);
                gpu.gemmBf16(transA, transB, m, n, k, alpha, da, lda, db, ldb, beta, dc, ldc);
                naiveSgemm(transA, transB, m, n, k, alpha, Bf16.values(a), 0, lda, Bf16.values(b), 0, ldb, beta, c, 0, ldc);
                assertClose(c, download(dc, c.length), "bf16 transA=" + transA + " transB=" + transB);
            }
        }
    }

    @Test
    void stridedBatchedSgemmMatchesTheDefinitionForEveryTranspose() {
        int m = 19, n = 23, k = 17, pad = 2, batch = 3;
        float alpha = 1.1f, beta = 0.5f;
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                int lda = (transA ? k : m) + pad, ldb = (transB ? n : k) + pad, ldc = m + pad;
                // strides past the matrices' ends, so every batch starts somewhere new
                int strideA = lda * (transA ? m : k) + 5, strideB = ldb * (transB ? k : n) + 1, strideC = ldc * n + 4;
                float[] a = random(strideA * batch, 9), b = random(strideB * batch, 10), c = random(strideC * batch, 11);
                long da = upload(a), db = upload(b), dc = upload(c);
                gpu.sgemmStridedBatched(transA, transB, m, n, k, alpha, da, lda, strideA, db, ldb, strideB,
                        beta, dc, ldc, strideC, batch);
                for (int i = 0; i < batch; i++) {
                    naiveSgemm(transA, transB, m, n, k, alpha, a, i * strideA, lda, b, i * strideB, ldb, beta, c, i * strideC, ldc);
                }
                assertClose(c, download(dc, c.length), "transA=" + transA + " transB=" + transB);
            }
        }
    }
}
