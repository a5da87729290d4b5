package dev.emerald.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.emerald.backend.cpu.Sgemm;
import dev.emerald.util.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * cuBLAS's {@code cublasSgemmStridedBatched} (and, with one batch, {@code cublasSgemm}) for the
 * emulator, on the CPU backend's {@link Sgemm}.
 *
 * <p>A column-major matrix with leading dimension ld is, read row-major with row stride ld, its
 * transpose. So column-major C = alpha op(A) op(B) + beta C is row-major C^T = alpha op(B)^T op(A)^T
 * + beta C^T: Sgemm with the operands swapped and the same transpose flags, no data rearranged.
 * Sgemm works on float[], so each operand's span is copied in, and C's back out: O(mk + kn + mn)
 * copying against O(mnk) arithmetic, and Sgemm's speed. C's whole span goes both ways, so elements
 * between its columns (ldc > m) keep their values.
 *
 * <p>{@code cublasGemmEx} with bf16 A and B ({@link #gemmBf16}) widens them to float, exactly, and runs
 * the same: the products of bf16 values are exact in float, so this is a float-accumulated GEMM of the
 * bf16 operands, as cuBLAS's CUBLAS_COMPUTE_32F.
 */
final class EmulatorGemm {
    private EmulatorGemm() {
    }

    static void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    long a, int lda, long strideA, long b, int ldb, long strideB,
                                    float beta, long c, int ldc, long strideC, int batch) {
        gemm(false, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);
    }

    /** A and B hold bf16 values, C floats. */
    static void gemmBf16(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                         long b, int ldb, float beta, long c, int ldc) {
        gemm(true, transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);
    }

    private static void gemm(boolean bf16, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             long a, int lda, long strideA, long b, int ldb, long strideB,
                             float beta, long c, int ldc, long strideC, int batch) {
        int aRows = transA ? k : m, aCols = transA ? m : k;  // A as stored, column-major
        int bRows = transB ? n : k, bCols = transB ? k : n;
        check(m, n, k, lda, aRows, ldb, bRows, ldc, strideA, strideB, strideC, batch);
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        boolean product = alpha != 0 && k > 0;  // else C = beta C, and A and B are not read (as cuBLAS)
        float[] as = product ? read(a, span(aRows, aCols, lda, strideA, batch), bf16) : null;
        float[] bs = product ? read(b, span(bRows, bCols, ldb, strideB, batch), bf16) : null;
        float[] cs = read(c, span(m, n, ldc, strideC, batch), false);
        Parallel.range(batch, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int aOff = Math.toIntExact(i * strideA), bOff = Math.toIntExact(i * strideB);
                int cOff = Math.toIntExact(i * strideC);
                if (!product) {
                    scale(cs, cOff, ldc, n, m, beta);
                } else if (beta == 0) {
                    Sgemm.gemm(transB, transA, n, m, k, bs, bOff, ldb, as, aOff, lda, false, cs, cOff, ldc);
                    scale(cs, cOff, ldc, n, m, alpha);
                } else if (alpha == 1) {
                    scale(cs, cOff, ldc, n, m, beta);
                    Sgemm.gemm(transB, transA, n, m, k, bs, bOff, ldb, as, aOff, lda, true, cs, cOff, ldc);
                } else {
                    float[] ab = new float[n * m];  // op(B)^T op(A)^T, row-major (n, m)
                    Sgemm.gemm(transB, transA, n, m, k, bs, bOff, ldb, as, aOff, lda, false, ab, 0, m);
                    for (int row = 0; row < n; row++) {
                        for (int col = 0; col < m; col++) {
                            int ci = cOff + row * ldc + col;
                            cs[ci] = alpha * ab[row * m + col] + beta * cs[ci];
                        }
                    }
                }
            }
        });
        MemorySegment.copy(cs, 0, EmulatorDevice.at(c, 4L * cs.length), JAVA_FLOAT, 0, cs.length);
    }

    /** cuBLAS's argument checks (CUBLAS_STATUS_INVALID_VALUE), so a bad call fails here as on the GPU. */
    private static void check(int m, int n, int k, int lda, int aRows, int ldb, int bRows, int ldc,
                              long strideA, long strideB, long strideC, int batch) {
        String problem = m < 0 || n < 0 || k < 0 ? "negative size"
                : lda < Math.max(1, aRows) ? "lda " + lda + " < " + Math.max(1, aRows)
                : ldb < Math.max(1, bRows) ? "ldb " + ldb + " < " + Math.max(1, bRows)
                : ldc < Math.max(1, m) ? "ldc " + ldc + " < " + Math.max(1, m)
                : batch < 0 || strideA < 0 || strideB < 0 || strideC < 0 ? "negative batch or stride"
                : null;
        if (problem != null) {
            throw new IllegalArgumentException("sgemm m=" + m + " n=" + n + " k=" + k + ": " + problem);
        }
    }

    /** Floats from a batch's first element to its last one's last: (cols - 1) ld + rows per matrix. */
    private static int span(int rows, int cols, int ld, long stride, int batch) {
        long floats = (batch - 1) * stride + (long) (cols - 1) * ld + rows;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("GEMM operand of " + floats + " floats: over the emulator's 2^31");
        }
        return (int) floats;
    }

    /** n floats, or n bf16 values widened to float. */
    private static float[] read(long address, int n, boolean bf16) {
        float[] x = new float[n];
        if (!bf16) {
            MemorySegment.copy(EmulatorDevice.at(address, 4L * n), JAVA_FLOAT, 0, x, 0, n);
            return x;
        }
        short[] h = new short[n];
        MemorySegment.copy(EmulatorDevice.at(address, 2L * n), JAVA_SHORT, 0, h, 0, n);
        for (int i = 0; i < n; i++) {
            x[i] = Float.intBitsToFloat((h[i] & 0xffff) << 16);
        }
        return x;
    }

    /** C^T's rows (n of them, m long) times s; s = 0 clears them, NaN and all, as cuBLAS's beta = 0. */
    private static void scale(float[] cs, int cOff, int ldc, int rows, int cols, float s) {
        if (s == 1) {
            return;
        }
        for (int row = 0; row < rows; row++) {
            for (int col = 0; col < cols; col++) {
                int ci = cOff + row * ldc + col;
                cs[ci] = s == 0 ? 0 : s * cs[ci];
            }
        }
    }
}
