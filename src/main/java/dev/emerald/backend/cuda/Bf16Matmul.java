package dev.emerald.backend.cuda;

/**
 * The mixed-precision GEMMs of {@link CudaBackend}'s matmul, on device addresses: bf16 operands, float
 * accumulation and float results ({@link DeviceApi#gemmBf16}). The weight is bf16 already (the model's
 * copy); an operand held in float — an input the model keeps in float, and always dout — is cast by
 * chunks of rows into a scratch of at most {@link #DEFAULT_CHUNK} values per operand, so that the LM
 * head's (N, V) dlogits need no bf16 copy of their own.
 */
final class Bf16Matmul {

    /** Values per cast operand: 32 MiB of bf16 (GPT-2's LM head at B·T = 8192 takes 25 chunks). */
    static final int DEFAULT_CHUNK = 1 << 24;

    /** What the GEMMs need of the backend: its scratch and its cast kernel. */
    interface Host {
        /** The address of a scratch of at least values bf16 values, valid until the next call. */
        long scratch(long values);

        /** dst (bf16) = src (float) rounded to nearest even, n values. */
        void cast(long dst, long src, long n);
    }

    private final DeviceApi device;
    private final Host host;
    private final int chunk;

    Bf16Matmul(DeviceApi device, Host host, int chunk) {
        this.device = device;
        this.host = host;
        this.chunk = chunk;
    }

    /** out (N, OC) = inp (N, C) @ w (OC, C)^T; inp is bf16 when inpBf16, else float. */
    void forward(long out, long inp, boolean inpBf16, long w, int N, int C, int OC) {
        int rows = inpBf16 ? N : rowsPerChunk(C, N);
        long x16 = inpBf16 ? 0 : host.scratch((long) rows * C);
        for (int r = 0; r < N; r += rows) {
            int n = Math.min(rows, N - r);
            long x = operand(inp, inpBf16, x16, r, n, C);
            // as CudaBackend's float GEMM: column-major out (OC, n) = w^T @ x, cuBLAS seeing w as (C, OC)
            device.gemmBf16(true, false, OC, n, C, 1f, w, C, x, C, 0f, out + 4L * r * OC, OC);
        }
    }

    /** dinp (N, C) = dout @ w (overwritten); dw (OC, C) += dout^T @ inp; dout (N, OC) is float. */
    void backward(long dinp, long dw, long dout, long inp, boolean inpBf16, long w, int N, int C, int OC) {
        int rows = rowsPerChunk(inpBf16 ? OC : Math.max(OC, C), N);
        long d16 = host.scratch((long) rows * (OC + (inpBf16 ? 0 : C))), x16 = d16 + 2L * rows * OC;
        for (int r = 0; r < N; r += rows) {
            int n = Math.min(rows, N - r);
            host.cast(d16, dout + 4L * r * OC, (long) n * OC);
            long x = operand(inp, inpBf16, x16, r, n, C);
            // column-major dinp (C, n) = w @ dout, cuBLAS seeing w as (C, OC) and dout as (OC, n)
            device.gemmBf16(false, false, C, n, OC, 1f, w, C, d16, OC, 0f, dinp + 4L * r * C, C);
            // column-major dw (C, OC) += x @ dout^T, cuBLAS seeing x as (C, n) and dout as (OC, n)
            device.gemmBf16(false, true, C, OC, n, 1f, x, C, d16, OC, 1f, dw, C);
        }
    }

    /** Rows r to r + n of a (N, width) operand as bf16: in place when it is bf16, else cast into scratch. */
    private long operand(long address, boolean bf16, long scratch, int r, int n, int width) {
        if (bf16) {
            return address + 2L * r * width;
        }
        host.cast(scratch, address + 4L * r * width, (long) n * width);
        return scratch;
    }

    /** Rows of the widest cast operand that fit a chunk: at least one, at most N. */
    private int rowsPerChunk(int widest, int N) {
        return Math.max(1, Math.min(N, chunk / Math.max(1, widest)));
    }
}
