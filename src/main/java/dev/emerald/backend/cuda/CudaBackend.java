package dev.emerald.backend.cuda;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.UserException;

import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA backend: the kernels of {@code src/main/cuda} and cuBLAS GEMMs, run through a
 * {@link DeviceApi} (a GPU, or the CPU emulator). All work goes on the device's one stream, in order;
 * only {@link #download} waits for it. The backend owns the device and closes it with every
 * allocation still alive. The attention is fused or unfused ({@link Attention}).
 */
public final class CudaBackend implements Backend {

    /** Threads per block of the one-thread-per-element kernels. */
    private static final int BLOCK = 256;
    /** Most threads per block of the one-block-per-row kernels (softmax, classifier). */
    private static final int MAX_ROW_BLOCK = 512;

    private final DeviceApi device;
    private final Attention attention;
    private final FlashAttention flash;
    private final List<CudaStorage> allocations = new ArrayList<>();
    /** Token ids or targets, copied from the host before each op that reads them. */
    private final Scratch ids = new Scratch();
    /** q, k, v (B, NH, T, hs) of the attention; q then holds att @ v. */
    private final Scratch qkvPermuted = new Scratch();

    /** With the attention {@link Attention#configured} (fused unless the property or environment says). */
    public CudaBackend(DeviceApi device) {
        this(device, Attention.configured());
    }

    public CudaBackend(DeviceApi device, Attention attention) {
        this.device = device;
        this.attention = attention;
        this.flash = new FlashAttention(device);
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device, in one line. */
    public String describe() {
        return device.describe();
    }

    @Override
    public Tensor alloc(long n) {
        CudaStorage s = allocate(n);
        device.memsetZero(s.address(), 4 * n);
        return new Tensor(s, 0, n);
    }

    /** Frees t's whole allocation at once (t is a tensor {@link #alloc} returned, or a slice of one). */
    @Override
    public void free(Tensor t) {
        release((CudaStorage) t.storage());
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        check(src.length >= dst.size(), "upload of " + dst.size() + " floats from an array of " + src.length);
        device.copyToDevice(ptr(dst, dst.size()), src, 0, dst.len());
    }

    @Override
    public void download(Tensor src, float[] dst) {
        check(dst.length >= src.size(), "download of " + src.size() + " floats into an array of " + dst.length);
        device.copyToHost(dst, 0, ptr(src, src.size()), src.len());
    }

    @Override
    public void zero(Tensor t) {
        device.memsetZero(ptr(t, t.size()), 4 * t.size());
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        device.copyDeviceToDevice(ptr(dst, src.size()), ptr(src, src.size()), 4 * src.size());
    }

    // ---- embeddings -------------------------------------------------------------------------

    @Override
    public void encoderForward(Tensor out, int[] tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        int V = wte.len() / C;
        long inp = ids(tokens, B * T, 0, V, "token id");
        pointwise("encoder_forward1", (long) B * T * C, ptr(out, (long) B * T * C), inp, ptr(wte, (long) V * C),
                ptr(wpe, (long) T * C), B, T, C);
    }

    // ---- layernorm --------------------------------------------------------------------------

    @Override
    public void layernormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor w, Tensor b, int N, int C) {
        long NC = (long) N * C;
        warpPerRow("layernorm_forward1", N, ptr(out, NC), ptr(mean, N), ptr(rstd, N), ptr(inp, NC), ptr(w, C), ptr(b, C), N, C);
    }

    // ---- matmul -----------------------------------------------------------------------------

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor w, Tensor bias, int N, int C, int OC) {
        // row-major out (N, OC) = inp (N, C) @ w (OC, C)^T is column-major out (OC, N) = w^T @ inp,
        // where cuBLAS sees w as (C, OC) and inp as (C, N)
        long o = ptr(out, (long) N * OC);
        device.sgemm(true, false, OC, N, C, 1f, ptr(w, (long) OC * C), C, ptr(inp, (long) N * C), C, 0f, o, OC);
        if (bias != null) {
            pointwise("bias_forward1", (long) N * OC, o, ptr(bias, OC), N, OC);
        }
    }

    // ---- attention --------------------------------------------------------------------------

    /** Whether attention over heads of C / NH runs fused: state and scratch are then (B, NH, T). */
    private boolean fused(int C, int NH) {
        return attention == Attention.FUSED && FlashAttention.supports(C / NH);
    }

    @Override
    public long attentionStateSize(int B, int T, int C, int NH) {
        return fused(C, NH) ? (long) B * NH * T : Backend.super.attentionStateSize(B, T, C, NH);
    }

    @Override
    public long attentionScratchSize(int B, int T, int C, int NH) {
        return fused(C, NH) ? (long) B * NH * T : Backend.super.attentionScratchSize(B, T, C, NH);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH,
                                 float dropout, long seed, long stream) {
        long n = (long) B * T * C;
        if (fused(C, NH)) {
            flash.forward(ptr(out, n), ptr(att, (long) B * NH * T), ptr(qkv, 3 * n), B, T, C, NH, dropout, seed, stream);
            return;
        }
        if (dropout > 0) {
            throw notYet("attention dropout");
        }
        int hs = C / NH;
        long th = (long) T * hs, tt = (long) T * T;
        Tensor scratch = qkvPermuted.take(3 * n);
        long q = ptr(scratch.slice(0, n), n), k = ptr(scratch.slice(n, n), n), v = ptr(scratch.slice(2 * n, n), n);
        long a = ptr(att, B * NH * tt);
        pointwise("attention_permute1", n, q, k, v, ptr(qkv, 3 * n), B, T, NH, hs);
        // per head, row-major preatt (T, T) = q @ k^T is column-major preatt (T, T) = k^T @ q, where cuBLAS
        // sees q and k as (hs, T); preatt is written into att, and the softmax runs there in place
        device.sgemmStridedBatched(true, false, T, T, hs, 1f, k, hs, th, q, hs, th, 0f, a, T, tt, B * NH);
        rows("softmax_forward1", B * NH * T, T, a, a, (float) (1.0 / Math.sqrt(hs)), B * NH * T, T);
        // per head, row-major y (T, hs) = att @ v is column-major y (hs, T) = v @ att, where cuBLAS sees
        // v as (hs, T) and att as (T, T); y goes into q, which is no longer needed
        device.sgemmStridedBatched(false, false, hs, T, T, 1f, v, hs, th, a, T, tt, 0f, q, hs, th, B * NH);
        pointwise("attention_unpermute1", n, ptr(out, n), q, B, T, NH, hs);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor datt, Tensor dout, Tensor out, Tensor qkv, Tensor att,
                                  int B, int T, int C, int NH, float dropout, long seed, long stream) {
        if (!fused(C, NH)) {
            throw notYet("the unfused attentionBackward");
        }
        long n = (long) B * T * C, bht = (long) B * NH * T;
        flash.backward(ptr(dqkv, 3 * n), ptr(datt, bht), ptr(dout, n), ptr(out, n), ptr(qkv, 3 * n), ptr(att, bht),
                B, T, C, NH, dropout, seed, stream);
    }

    // ---- pointwise --------------------------------------------------------------------------

    @Override
    public void geluForward(Tensor out, Tensor inp, int n) {
        pointwise("gelu_forward1", n, ptr(out, n), ptr(inp, n), n);
    }

    @Override
    public void reluForward(Tensor out, Tensor inp, int n) {
        pointwise("relu_forward1", n, ptr(out, n), ptr(inp, n), n);
    }

    @Override
    public void residualForward(Tensor out, Tensor a, Tensor b, int n) {
        pointwise("residual_forward1", n, ptr(out, n), ptr(a, n), ptr(b, n), n);
    }

    @Override
    public void accumulate(Tensor dst, Tensor src, int n) {
        pointwise("residual_accumulate1", n, ptr(dst, n), ptr(src, n), n);
    }

    // ---- loss -------------------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Tensor losses, Tensor logits, int[] targets, int N, int V) {
        long tgt = ids(targets, N, Integer.MIN_VALUE, V, "target");
        rows("classifier_forward1", N, V, ptr(losses, N), ptr(logits, (long) N * V), tgt, N, V);
    }

    // ---- the next issue: backward, dropout, optimizer ---------------------------------------

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, int[] tokens, int B, int T, int C) {
        throw notYet("encoderBackward");
    }

    @Override
    public void layernormBackward(Tensor dinp, Tensor dw, Tensor db, Tensor dout, Tensor inp, Tensor w,
                                  Tensor mean, Tensor rstd, int N, int C) {
        throw notYet("layernormBackward");
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dw, Tensor dbias, Tensor dout, Tensor inp, Tensor w, int N, int C, int OC) {
        throw notYet("matmulBackward");
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, int n) {
        throw notYet("geluBackward");
    }

    @Override
    public void reluBackward(Tensor dinp, Tensor inp, Tensor dout, int n) {
        throw notYet("reluBackward");
    }

    @Override
    public void dropout(Tensor x, int n, float p, long seed, long stream) {
        throw notYet("dropout");
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor probs, int[] targets, float dloss, int N, int V) {
        throw notYet("crossEntropyBackward");
    }

    @Override
    public double sumSquares(Tensor t) {
        throw notYet("sumSquares");
    }

    @Override
    public void scale(Tensor t, float s) {
        throw notYet("scale");
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float wd, float bc1, float bc2) {
        throw notYet("adamw");
    }

    private static UserException notYet(String op) {
        return new UserException(op + " is not on the CUDA backend yet, so it can generate but not train: train with --device cpu");
    }

    // ---- memory and launches ----------------------------------------------------------------

    @Override
    public void close() {
        for (CudaStorage s : allocations) {
            s.close();
        }
        allocations.clear();
        device.close();
    }

    /**
     * n floats of device memory, not initialised; freed by {@link #close} at the latest. Running out is
     * the device's to report (a {@link UserException} from {@link DeviceApi#malloc}).
     */
    private CudaStorage allocate(long n) {
        CudaStorage s = new CudaStorage(device, device.malloc(4 * Math.max(n, 1)), n); // cuMemAlloc refuses 0 bytes
        allocations.add(s);
        return s;
    }

    private void release(CudaStorage s) {
        if (allocations.remove(s)) {
            s.close();
        }
    }

    /** Floats allocated and not yet freed, scratch buffers included. */
    long allocatedFloats() {
        return allocations.stream().mapToLong(CudaStorage::size).sum();
    }

    /** A device buffer reused across calls, grown (never shrunk) on demand. */
    private final class Scratch {
        private CudaStorage storage;

        Tensor take(long n) {
            if (storage == null || storage.size() < n) {
                if (storage != null) {
                    release(storage);
                }
                storage = allocate(n);
            }
            return new Tensor(storage, 0, n);
        }
    }

    /**
     * Copies host ids (token ids or targets) into the id buffer and returns its address, after checking
     * that each lies in [min, limit): out of range, a kernel would read outside its table. Reusing one
     * buffer is safe because the copy waits, in stream order, for the kernels launched before it.
     */
    private long ids(int[] host, int n, int min, int limit, String what) {
        check(host.length >= n, n + " " + what + "s expected, got " + host.length);
        for (int i = 0; i < n; i++) {
            check(host[i] >= min && host[i] < limit, what + " " + host[i] + " at position " + i + " is outside [0, " + limit + ")");
        }
        long address = ptr(ids.take(n), n);
        device.copyToDevice(address, host, 0, n);
        return address;
    }

    /** The device address of t, which must hold at least n floats. */
    private static long ptr(Tensor t, long n) {
        check(t.size() >= n, "tensor of " + t.size() + " floats where " + n + " are needed");
        return ((CudaStorage) t.storage()).address() + 4 * t.offset();
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** One thread per element: blocks of {@link #BLOCK} threads over n elements. */
    private void pointwise(String kernel, long n, Object... args) {
        check(n <= Integer.MAX_VALUE, kernel + " over " + n + " elements: more than an int indexes");
        device.launch(kernel, (int) ((n + BLOCK - 1) / BLOCK), 1, 1, BLOCK, 1, 1, 0, args);
    }

    /** One warp per row: blocks of {@link #BLOCK} threads, BLOCK / 32 rows each. */
    private void warpPerRow(String kernel, int rows, Object... args) {
        pointwise(kernel, 32L * rows, args);
    }

    /** One block per row of len elements: a whole number of warps (the kernels shuffle), at most MAX_ROW_BLOCK. */
    private void rows(String kernel, int rows, int len, Object... args) {
        int block = Math.min(MAX_ROW_BLOCK, (len + 31) / 32 * 32);
        device.launch(kernel, rows, 1, 1, block, 1, 1, 0, args);
    }
}
