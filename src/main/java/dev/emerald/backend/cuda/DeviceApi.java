package dev.emerald.backend.cuda;

/**
 * What {@code CudaBackend} needs from a CUDA device: memory, kernel launches, cuBLAS-style GEMMs and
 * a stream. Two implementations: the real GPU through JCuda + JCublas, and the CPU emulator of
 * {@code native/}. Device memory is addressed by plain {@code long} device addresses (a tensor at
 * float offset o of an allocation at address a lives at a + 4 o); kernel arguments are
 * {@link Long} (a device address), {@link Integer} or {@link Float}, in the kernel's order.
 * All calls are issued on one stream, in order; copies to the host wait for the work before them.
 */
public interface DeviceApi extends AutoCloseable {

    /** One line for logs and {@code emerald devices}, e.g. "NVIDIA H100 80GB HBM3 (sm_90)". */
    String describe();

    /** Allocates bytes of device memory (not initialised) and returns its address; 0 bytes gives address 0. */
    long malloc(long bytes);

    /** Frees an allocation of {@link #malloc}; address 0 is allowed and does nothing. */
    void free(long address);

    void copyToDevice(long dst, float[] src, int srcOff, int n);

    void copyToDevice(long dst, int[] src, int srcOff, int n);

    void copyToDevice(long dst, byte[] src, int srcOff, int n);

    void copyToHost(float[] dst, int dstOff, long src, int n);

    /** n doubles (partial sums that kernels accumulate in double). */
    void copyToHost(double[] dst, int dstOff, long src, int n);

    void copyDeviceToDevice(long dst, long src, long bytes);

    void memsetZero(long dst, long bytes);

    /** Launches a kernel of the project's PTX/emulator library by its (extern "C") name. */
    void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                int sharedBytes, Object... args);

    /**
     * cuBLAS {@code cublasSgemm} semantics: column-major C (m, n) = alpha op(A) op(B) + beta C,
     * op(A) (m, k), op(B) (k, n).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
               float beta, long c, int ldc);

    /** cuBLAS {@code cublasSgemmStridedBatched} semantics; strides in elements. */
    void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             long a, int lda, long strideA, long b, int ldb, long strideB,
                             float beta, long c, int ldc, long strideC, int batch);

    /**
     * cuBLAS {@code cublasGemmEx} with A and B bf16 ({@code CUDA_R_16BF}: a and b address bf16 values), C
     * float, accumulating in float ({@code CUBLAS_COMPUTE_32F}); otherwise as {@link #sgemm}.
     */
    void gemmBf16(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                  float beta, long c, int ldc);

    /** Waits for all work issued so far. */
    void synchronize();

    /** Free and total device memory in bytes (cuMemGetInfo). */
    long[] memoryInfo();

    @Override
    void close();
}
