package dev.emerald.backend.cuda;

import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceMemory;
import dev.emerald.backend.Precision;
import dev.emerald.tensor.Tensor;
import dev.emerald.util.UserException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CUDA backend: the kernels of {@code src/main/cuda} and cuBLAS GEMMs, run through a
 * {@link DeviceApi} (a GPU, or the CPU emulator). All work goes on the device's one stream, in order;
 * only {@link #download} waits for it. The backend owns the device and closes it with every
 * allocation still alive. The attention is fused or unfused ({@link Attention}). In {@link Precision#BF16}
 * the GEMMs of matmul take bf16 operands ({@link Bf16Matmul}); attention stays float.
 */
public final class CudaBackend implements Backend {

    /** The most rows of inp matmul_int8_forward1 takes (INT8_DECODE_ROWS in matmul_int8.cu). */
    private static final int INT8_DECODE_ROWS = 8;
    /** Threads per block of the one-thread-per-element kernels. */
    private static final int BLOCK = 256;
    /** Most threads per block of the one-block-per-row kernels (softmax, classifier). */
    private static final int MAX_ROW_BLOCK = 512;
    /** Rows each thread sums in the first stage of the column reductions (bias and layernorm gradients). */
    private static final int ROWS_PER_CHUNK = 32;
    /** Floats each block sums in the first stage of the sum of squares (the CPU backend's block too). */
    private static final int SQUARES_PER_BLOCK = 1 << 14;

    private final DeviceApi device;
    private final Attention attention;
    private final FlashAttention flash;
    private final Precision precision;
    private final Bf16Matmul bf16Matmul;
    private final List<CudaStorage> allocations = new ArrayList<>();
    /** Token ids or targets, copied from the host before each op that reads them. */
    private final Scratch ids = new Scratch();
    /** q, k, v (B, NH, T, hs) of the attention; q then holds att @ v. */
    private final Scratch qkvPermuted = new Scratch();
    /** The attention's probabilities after dropout (B, NH, T, T), when it drops any. */
    private final Scratch attDropped = new Scratch();
    /** dq, dk, dv (B, NH, T, hs) of the attention backward; dq first holds dout permuted. */
    private final Scratch qkvGrads = new Scratch();
    /** Partial sums of the two-stage reductions. */
    private final Scratch partials = new Scratch();
    /** Int8 weights made floats again, for a matmul over more rows than matmul_int8_forward1 takes. */
    private final Scratch dequantized = new Scratch();
    /** The bf16 casts of float GEMM operands (mixed precision). */
    private final Scratch bf16Operands = new Scratch();

    /** With the attention {@link Attention#configured} (fused unless the property or environment says). */
    public CudaBackend(DeviceApi device) {
        this(device, Attention.configured());
    }

    public CudaBackend(DeviceApi device, Attention attention) {
        this(device, attention, Precision.FP32);
    }

    public CudaBackend(DeviceApi device, Attention attention, Precision precision) {
        this(device, attention, precision, Bf16Matmul.DEFAULT_CHUNK);
    }

    /** castChunk: the most values of a float GEMM operand cast to bf16 at once (tests make it small). */
    CudaBackend(DeviceApi device, Attention attention, Precision precision, int castChunk) {
        this.device = device;
        this.attention = attention;
        this.flash = new FlashAttention(device);
        this.precision = precision;
        this.bf16Matmul = new Bf16Matmul(device, new Bf16Matmul.Host() {
            @Override
            public long scratch(long values) {
                long floats = (values + 1) / 2;
                return ptr(bf16Operands.take(floats), floats);
            }

            @Override
            public void cast(long dst, long src, long n) {
                pointwise("bf16_from_float1", n, dst, src, (int) n);
            }
        }, castChunk);
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
        return zeroed(allocate(n, Float.BYTES));
    }

    private Tensor zeroed(CudaStorage s) {
        device.memsetZero(s.address(), s.valueBytes() * s.size());
        return new Tensor(s, 0, s.size());
    }

    @Override
    public Tensor allocInt8(long n) {
        return zeroed(allocate(n, 1));
    }

    @Override
    public void uploadInt8(Tensor dst, byte[] src) {
        check(src.length >= dst.size(), "upload of " + dst.size() + " int8 values from an array of " + src.length);
        device.copyToDevice(int8Ptr(dst, dst.size()), src, 0, dst.len());
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

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, int[] tokens, int B, int T, int C) {
        int V = dwte.len() / C, BT = B * T;
        long d = ptr(dout, (long) BT * C);
        checkIds(tokens, BT, 0, V, "token id");
        TokenBuckets buckets = TokenBuckets.of(tokens, BT, V);
        int U = buckets.distinct();
        pointwise("encoder_backward_wte1", (long) U * C, ptr(dwte, (long) V * C), d, ints(buckets.layout()), U, C);
        pointwise("encoder_backward_wpe1", (long) T * C, ptr(dwpe, (long) T * C), d, B, T, C);
    }

    // ---- layernorm --------------------------------------------------------------------------

    @Override
    public void layernormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor w, Tensor b, int N, int C) {
        long NC = (long) N * C;
        warpPerRow(bf16(out) ? "layernorm_forward_bf16_1" : "layernorm_forward1", N, any(out, NC), ptr(mean, N), ptr(rstd, N),
                ptr(inp, NC), ptr(w, C), ptr(b, C), N, C);
    }

    @Override
    public void layernormBackward(Tensor dinp, Tensor dw, Tensor db, Tensor dout, Tensor inp, Tensor w,
                                  Tensor mean, Tensor rstd, int N, int C) {
        long NC = (long) N * C;
        long d = ptr(dout, NC), x = ptr(inp, NC), m = ptr(mean, N), r = ptr(rstd, N);
        warpPerRow("layernorm_backward1", N, ptr(dinp, NC), d, x, ptr(w, C), m, r, N, C);
        // partial rows of 2C: dbias's sums, then dweight's
        int chunks = chunks(N);
        long part = ptr(partials.take(2L * chunks * C), 2L * chunks * C);
        columns("layernorm_param_backward1", C, chunks, part, d, x, m, r, N, C, ROWS_PER_CHUNK);
        pointwise("partial_sums_accumulate1", C, ptr(db, C), part, chunks, C, 2 * C);
        pointwise("partial_sums_accumulate1", C, ptr(dw, C), part + 4L * C, chunks, C, 2 * C);
    }

    // ---- matmul -----------------------------------------------------------------------------

    @Override
    public void matmulForward(Tensor out, Tensor inp, Tensor w, Tensor bias, int N, int C, int OC) {
        // row-major out (N, OC) = inp (N, C) @ w (OC, C)^T is column-major out (OC, N) = w^T @ inp,
        // where cuBLAS sees w as (C, OC) and inp as (C, N)
        long o = ptr(out, (long) N * OC);
        if (bf16(w)) {
            bf16Matmul.forward(o, any(inp, (long) N * C), bf16(inp), half(w, (long) OC * C), N, C, OC);
        } else {
            device.sgemm(true, false, OC, N, C, 1f, ptr(w, (long) OC * C), C, ptr(inp, (long) N * C), C, 0f, o, OC);
        }
        if (bias != null) {
            pointwise("bias_forward1", (long) N * OC, o, ptr(bias, OC), N, OC);
        }
    }

    @Override
    public void matmulForwardInt8(Tensor out, Tensor inp, Tensor wq, Tensor scales, Tensor bias, int N, int C, int OC) {
        long q = int8Ptr(wq, (long) OC * C), s = ptr(scales, OC);
        if (N <= INT8_DECODE_ROWS) {
            warpPerRow("matmul_int8_forward1", OC, ptr(out, (long) N * OC), ptr(inp, (long) N * C), q, s,
                    bias == null ? 0L : ptr(bias, OC), N, C, OC);
            return;
        }
        Tensor w = dequantized.take((long) OC * C);
        pointwise("dequantize_int8_1", (long) OC * C, ptr(w, (long) OC * C), q, s, OC, C);
        matmulForward(out, inp, w, bias, N, C, OC);
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dw, Tensor dbias, Tensor dout, Tensor inp, Tensor w, int N, int C, int OC) {
        long d = ptr(dout, (long) N * OC);
        if (bf16(w)) {
            bf16Matmul.backward(ptr(dinp, (long) N * C), ptr(dw, (long) OC * C), d, any(inp, (long) N * C), bf16(inp),
                    half(w, (long) OC * C), N, C, OC);
        } else {
            // row-major dinp (N, C) = dout (N, OC) @ w (OC, C) is column-major dinp (C, N) = w @ dout, where
            // cuBLAS sees w as (C, OC) and dout as (OC, N)
            device.sgemm(false, false, C, N, OC, 1f, ptr(w, (long) OC * C), C, d, OC, 0f, ptr(dinp, (long) N * C), C);
            // row-major dw (OC, C) += dout^T @ inp (N, C) is column-major dw (C, OC) += inp @ dout^T, where
            // cuBLAS sees inp as (C, N) and dout as (OC, N)
            device.sgemm(false, true, C, OC, N, 1f, ptr(inp, (long) N * C), C, d, OC, 1f, ptr(dw, (long) OC * C), C);
        }
        if (dbias != null) {
            int chunks = chunks(N);
            long part = ptr(partials.take((long) chunks * OC), (long) chunks * OC);
            columns("bias_backward1", OC, chunks, part, d, N, OC, ROWS_PER_CHUNK);
            pointwise("partial_sums_accumulate1", OC, ptr(dbias, OC), part, chunks, OC, OC);
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
        int hs = C / NH;
        long th = (long) T * hs, tt = (long) T * T;
        Tensor scratch = qkvPermuted.take(3 * n);
        long q = ptr(scratch.slice(0, n), n), k = ptr(scratch.slice(n, n), n), v = ptr(scratch.slice(2 * n, n), n);
        long a = ptr(att, B * NH * tt);
        pointwise("attention_permute1", n, q, k, v, ptr(qkv, 3 * n), B, T, NH, hs);
        // per head, row-major preatt (T, T) = q @ k^T is column-major preatt (T, T) = k^T @ q, where cuBLAS
        // sees q and k as (hs, T); preatt is written into att, and the softmax runs there in place
        device.sgemmStridedBatched(true, false, T, T, hs, 1f, k, hs, th, q, hs, th, 0f, a, T, tt, B * NH);
        rows("softmax_forward1", B * NH * T, T, a, a, scoreScale(hs), B * NH * T, T);
        if (dropout > 0) {
            // att keeps the probabilities before dropout, for the backward; element (b, h, t, t2)'s mask
            // index is its index in att, as on the CPU
            Tensor dropped = attDropped.take(B * NH * tt);
            copy(dropped, att.slice(0, B * NH * tt));
            dropout(dropped, dropped.len(), dropout, seed, stream);
            a = ptr(dropped, B * NH * tt);
        }
        // per head, row-major y (T, hs) = att @ v is column-major y (hs, T) = v @ att, where cuBLAS sees
        // v as (hs, T) and att as (T, T); y goes into q, which is no longer needed
        device.sgemmStridedBatched(false, false, hs, T, T, 1f, v, hs, th, a, T, tt, 0f, q, hs, th, B * NH);
        pointwise("attention_unpermute1", n, ptr(out, n), q, B, T, NH, hs);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor datt, Tensor dout, Tensor out, Tensor qkv, Tensor att,
                                  int B, int T, int C, int NH, float dropout, long seed, long stream) {
        long n = (long) B * T * C;
        if (fused(C, NH)) {
            long bht = (long) B * NH * T;
            flash.backward(ptr(dqkv, 3 * n), ptr(datt, bht), ptr(dout, n), ptr(out, n), ptr(qkv, 3 * n), ptr(att, bht),
                    B, T, C, NH, dropout, seed, stream);
            return;
        }
        int hs = C / NH, BH = B * NH;
        long th = (long) T * hs, tt = (long) T * T;
        Tensor perm = qkvPermuted.take(3 * n), grads = qkvGrads.take(3 * n);
        long q = ptr(perm.slice(0, n), n), k = ptr(perm.slice(n, n), n), v = ptr(perm.slice(2 * n, n), n);
        long dq = ptr(grads.slice(0, n), n), dk = ptr(grads.slice(n, n), n), dv = ptr(grads.slice(2 * n, n), n);
        long a = ptr(att, BH * tt), da = ptr(datt, BH * tt);
        // q, k, v again: the scratch holds the last forward's, another layer's; dy (B, NH, T, hs) goes in dq
        pointwise("attention_permute1", n, q, k, v, ptr(qkv, 3 * n), B, T, NH, hs);
        long dy = dq;
        pointwise("attention_unpermute_backward1", n, dy, ptr(dout, n), B, T, NH, hs);
        // per head, row-major dv (T, hs) = dropout(att)^T @ dy is column-major dv (hs, T) = dy @ dropout(att)^T,
        // where cuBLAS sees dy as (hs, T) and att as (T, T); datt holds the dropped probabilities meanwhile
        Tensor dattHeads = datt.slice(0, BH * tt);
        long probs = a;
        if (dropout > 0) {
            copy(dattHeads, att.slice(0, BH * tt));
            dropout(dattHeads, dattHeads.len(), dropout, seed, stream);
            probs = da;
        }
        device.sgemmStridedBatched(false, true, hs, T, T, 1f, dy, hs, th, probs, T, tt, 0f, dv, hs, th, BH);
        // per head, row-major datt (T, T) = dy @ v^T is column-major datt (T, T) = v^T @ dy, where cuBLAS
        // sees v and dy as (hs, T); then back through the dropout, whose mask the same call recomputes
        device.sgemmStridedBatched(true, false, T, T, hs, 1f, v, hs, th, dy, hs, th, 0f, da, T, tt, BH);
        if (dropout > 0) {
            dropout(dattHeads, dattHeads.len(), dropout, seed, stream);
        }
        // datt becomes dpreatt, the gradient of the scores q.k (the scale included), in place
        rows("softmax_backward1", BH * T, T, da, da, a, scoreScale(hs), BH * T, T);
        // per head, row-major dq (T, hs) = dpreatt @ k is column-major dq (hs, T) = k @ dpreatt (dy is used up),
        // and row-major dk (T, hs) = dpreatt^T @ q is column-major dk (hs, T) = q @ dpreatt^T
        device.sgemmStridedBatched(false, false, hs, T, T, 1f, k, hs, th, da, T, tt, 0f, dq, hs, th, BH);
        device.sgemmStridedBatched(false, true, hs, T, T, 1f, q, hs, th, da, T, tt, 0f, dk, hs, th, BH);
        pointwise("attention_permute_backward1", 3 * n, ptr(dqkv, 3 * n), dq, dk, dv, B, T, NH, hs);
    }

    @Override
    public void kvCacheWrite(Tensor keys, Tensor values, Tensor qkv, int T, int C) {
        long n = (long) T * C;
        pointwise("kv_cache_write1", n, ptr(keys, n), ptr(values, n), ptr(qkv, 3 * n), T, C);
    }

    @Override
    public void cachedAttentionForward(Tensor out, Tensor qkv, Tensor keys, Tensor values, int pos, int T, int C, int NH) {
        int hs = C / NH;
        long n = (long) T * C, cached = (long) (pos + T) * C;
        // one warp per (query, head); q and the output staged in shared memory
        device.launch("cached_attention_forward1", T, NH, 1, 32, 1, 1, 4 * 2 * hs, ptr(out, n), ptr(qkv, 3 * n),
                ptr(keys, cached), ptr(values, cached), pos, NH, hs, scoreScale(hs));
    }

    /** The attention's score scale, 1 / sqrt(hs), as the CPU backend's. */
    private static float scoreScale(int hs) {
        return (float) (1.0 / Math.sqrt(hs));
    }

    // ---- pointwise --------------------------------------------------------------------------

    @Override
    public void geluForward(Tensor out, Tensor inp, int n) {
        pointwise(bf16(out) ? "gelu_forward_bf16_1" : "gelu_forward1", n, any(out, n), ptr(inp, n), n);
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, int n) {
        pointwise("gelu_backward1", n, ptr(dinp, n), ptr(inp, n), ptr(dout, n), n);
    }

    @Override
    public void reluForward(Tensor out, Tensor inp, int n) {
        pointwise(bf16(out) ? "relu_forward_bf16_1" : "relu_forward1", n, any(out, n), ptr(inp, n), n);
    }

    @Override
    public void reluBackward(Tensor dinp, Tensor inp, Tensor dout, int n) {
        pointwise("relu_backward1", n, ptr(dinp, n), ptr(inp, n), ptr(dout, n), n);
    }

    @Override
    public void residualForward(Tensor out, Tensor a, Tensor b, int n) {
        pointwise("residual_forward1", n, ptr(out, n), ptr(a, n), ptr(b, n), n);
    }

    @Override
    public void accumulate(Tensor dst, Tensor src, int n) {
        pointwise("residual_accumulate1", n, ptr(dst, n), ptr(src, n), n);
    }

    @Override
    public void dropout(Tensor x, int n, float p, long seed, long stream) {
        pointwise("dropout_forward1", n, ptr(x, n), n, p, seed, stream);
    }

    // ---- loss -------------------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Tensor losses, Tensor logits, int[] targets, int N, int V) {
        long tgt = ids(targets, N, Integer.MIN_VALUE, V, "target");
        rows("classifier_forward1", N, V, ptr(losses, N), ptr(logits, (long) N * V), tgt, N, V);
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor probs, int[] targets, float dloss, int N, int V) {
        long tgt = ids(targets, N, Integer.MIN_VALUE, V, "target");
        long NV = (long) N * V;
        pointwise("classifier_backward1", NV, ptr(dlogits, NV), ptr(probs, NV), tgt, dloss, N, V);
    }

    // ---- optimizer --------------------------------------------------------------------------

    @Override
    public double sumSquares(Tensor t) {
        int n = t.len();
        if (n == 0) {
            return 0; // no blocks to launch
        }
        int blocks = (n + SQUARES_PER_BLOCK - 1) / SQUARES_PER_BLOCK;
        long part = ptr(partials.take(2L * blocks), 2L * blocks); // doubles
        device.launch("global_norm_squared1", blocks, 1, 1, BLOCK, 1, 1, 0, part, ptr(t, n), n, SQUARES_PER_BLOCK);
        double[] host = new double[blocks];
        device.copyToHost(host, 0, part, blocks);
        double total = 0;
        for (double p : host) {
            total += p;
        }
        return total;
    }

    @Override
    public void scale(Tensor t, float s) {
        pointwise("scale1", t.size(), ptr(t, t.size()), s, t.len());
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float wd, float bc1, float bc2) {
        long n = param.size();
        pointwise("adamw1", n, ptr(param, n), ptr(grad, n), ptr(m, n), ptr(v, n), param.len(), lr, beta1, beta2, eps,
                wd, bc1, bc2);
    }

    // ---- mixed precision --------------------------------------------------------------------

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public Tensor allocBf16(long n) {
        return zeroed(allocate(n, 2));
    }

    @Override
    public void castBf16(Tensor dst, Tensor src) {
        long n = src.size();
        pointwise("bf16_from_float1", n, half(dst, n), ptr(src, n), src.len());
    }

    // ---- memory and launches ----------------------------------------------------------------

    /** Device memory in use (by every process on the device) and in all, from cuMemGetInfo. */
    @Override
    public Optional<DeviceMemory> deviceMemory() {
        long[] info = device.memoryInfo();
        return Optional.of(new DeviceMemory(info[1] - info[0], info[1]));
    }

    @Override
    public void close() {
        for (CudaStorage s : allocations) {
            s.close();
        }
        allocations.clear();
        device.close();
    }

    /**
     * n values of valueBytes each (floats, or bf16) of device memory, not initialised; freed by {@link #close}
     * at the latest. Running out is the device's to report (a {@link UserException} from {@link DeviceApi#malloc}).
     */
    private CudaStorage allocate(long n, int valueBytes) {
        // cuMemAlloc refuses 0 bytes
        CudaStorage s = new CudaStorage(device, device.malloc(valueBytes * Math.max(n, 1)), n, valueBytes);
        allocations.add(s);
        return s;
    }

    private void release(CudaStorage s) {
        if (allocations.remove(s)) {
            s.close();
        }
    }

    /** Bytes allocated and not yet freed, scratch buffers included. */
    long allocatedBytes() {
        return allocations.stream().mapToLong(s -> s.size() * s.valueBytes()).sum();
    }

    /** A device buffer reused across calls, grown (never shrunk) on demand. */
    private final class Scratch {
        private CudaStorage storage;

        Tensor take(long n) {
            if (storage == null || storage.size() < n) {
                if (storage != null) {
                    release(storage);
                }
                storage = allocate(n, Float.BYTES);
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
        checkIds(host, n, min, limit, what);
        long address = ptr(ids.take(n), n);
        device.copyToDevice(address, host, 0, n);
        return address;
    }

    private static void checkIds(int[] host, int n, int min, int limit, String what) {
        check(host.length >= n, n + " " + what + "s expected, got " + host.length);
        for (int i = 0; i < n; i++) {
            check(host[i] >= min && host[i] < limit, what + " " + host[i] + " at position " + i + " is outside [0, " + limit + ")");
        }
    }

    /** Copies host ints into the id buffer (see {@link #ids}) and returns its address. */
    private long ints(int[] host) {
        long address = ptr(ids.take(host.length), host.length);
        device.copyToDevice(address, host, 0, host.length);
        return address;
    }

    /** The device address of t, which must hold at least n floats. */
    private static long ptr(Tensor t, long n) {
        check(!bf16(t), "a bf16 tensor where floats are needed");
        return any(t, n);
    }

    /** The device address of t, which must hold at least n bf16 values. */
    private static long half(Tensor t, long n) {
        check(bf16(t), "a float tensor where bf16 values are needed");
        return any(t, n);
    }

    /** The device address of t, of floats or bf16 values, which must hold at least n of them. */
    private static long any(Tensor t, long n) {
        return address(t, n, false);
    }

    /** The device address of t, which must hold at least n int8 values. */
    private static long int8Ptr(Tensor t, long n) {
        return address(t, n, true);
    }

    private static long address(Tensor t, long n, boolean int8) {
        CudaStorage s = (CudaStorage) t.storage();
        check((s.valueBytes() == 1) == int8, "a tensor of " + (s.valueBytes() == 1 ? "int8 values" : "floats")
                + " where " + (int8 ? "int8 values" : "floats") + " are needed");
        check(t.size() >= n, "tensor of " + t.size() + " values where " + n + " are needed");
        return s.address() + s.valueBytes() * t.offset();
    }

    private static boolean bf16(Tensor t) {
        return ((CudaStorage) t.storage()).valueBytes() == 2;
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

    /** Chunks of {@link #ROWS_PER_CHUNK} rows over N rows. */
    private static int chunks(int N) {
        return (N + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
    }

    /** The first stage of a column reduction: one thread per (column, chunk of rows), grid (columns, chunks). */
    private void columns(String kernel, int columns, int chunks, Object... args) {
        device.launch(kernel, (columns + BLOCK - 1) / BLOCK, chunks, 1, BLOCK, 1, 1, 0, args);
    }

    /** One block per row of len elements: a whole number of warps (the kernels shuffle), at most MAX_ROW_BLOCK. */
    private void rows(String kernel, int rows, int len, Object... args) {
        int block = Math.min(MAX_ROW_BLOCK, (len + 31) / 32 * 32);
        device.launch(kernel, rows, 1, 1, block, 1, 1, 0, args);
    }
}
