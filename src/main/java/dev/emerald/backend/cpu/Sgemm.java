package dev.emerald.backend.cpu;

/**
 * Row-major single-precision GEMM: C (M, N) = op(A) (M, K) @ op(B) (K, N), plus C's old value when
 * {@code accumulate}. op(X) is X, or X transposed when the flag says so; lda/ldb/ldc are row strides
 * of the arrays as stored.
 */
public final class Sgemm {
    private Sgemm() {
    }

    public static void gemm(boolean transA, boolean transB, int M, int N, int K,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            boolean accumulate, float[] c, int cOff, int ldc) {
        // placeholder: naive, to be replaced by the blocked Vector API kernel
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                float s = 0;
                for (int k = 0; k < K; k++) {
                    float x = transA ? a[aOff + k * lda + i] : a[aOff + i * lda + k];
                    float y = transB ? b[bOff + j * ldb + k] : b[bOff + k * ldb + j];
                    s += x * y;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }
}
