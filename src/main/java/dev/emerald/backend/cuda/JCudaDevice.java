package dev.emerald.backend.cuda;

import dev.emerald.util.Bytes;
import dev.emerald.util.UserException;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static jcuda.cudaDataType.CUDA_R_16BF;
import static jcuda.cudaDataType.CUDA_R_32F;
import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static jcuda.driver.CUstream_flags.CU_STREAM_NON_BLOCKING;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasDestroy;
import static jcuda.jcublas.JCublas2.cublasGemmEx_new;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemm;
import static jcuda.jcublas.JCublas2.cublasSgemmStridedBatched;
import static jcuda.jcublas.cublasComputeType.CUBLAS_COMPUTE_32F;
import static jcuda.jcublas.cublasGemmAlgo.CUBLAS_GEMM_DEFAULT;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

/**
 * A real GPU through JCuda's driver API and JCublas2: the device's primary context, one stream that
 * every copy, kernel and GEMM goes on, and the project's PTX modules, each loaded (JIT-compiled for
 * this GPU) on the first launch of one of its kernels. Use it from one thread at a time; each call
 * makes the context current on the calling thread, so which thread does not matter.
 */
public final class JCudaDevice implements DeviceApi {

    /** Dynamic shared memory a kernel may take without opting in (cuFuncSetAttribute). */
    private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;

    /** A loaded kernel and the dynamic shared memory it has been allowed. */
    private static final class Function {
        final CUfunction handle = new CUfunction();
        final PtxLibrary.Kernel kernel;
        int sharedLimit = DEFAULT_SHARED_LIMIT;

        Function(PtxLibrary.Kernel kernel) {
            this.kernel = kernel;
        }
    }

    /** JCuda keeps a device pointer's address to itself; a subclass may read it. */
    private static final class Allocation extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    @FunctionalInterface
    private interface CudaCall {
        void run();
    }

    private final PtxLibrary library;
    private final String description;
    private final CUdevice device = new CUdevice();
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, Function> functions = new HashMap<>();
    private CUcontext context;
    private CUstream stream;
    private cublasHandle cublas;

    /** Opens CUDA device index (0 is the first), with the kernels of the classpath's PTX resources. */
    public JCudaDevice(int index) {
        this(index, PtxLibrary.fromClasspath());
    }

    JCudaDevice(int index, PtxLibrary library) {
        CudaProbe.Status status = CudaProbe.status();
        if (!status.available()) {
            throw new UserException("CUDA is not available: " + status.unavailableReason().orElseThrow());
        }
        if (index < 0 || index >= status.deviceCount()) {
            throw new UserException("there is no CUDA device " + index + ": this machine has " + status.deviceCount());
        }
        this.library = library;
        try {
            cuDeviceGet(device, index);
            // each handle is kept only once made, so close() releases exactly what exists
            CUcontext ctx = new CUcontext();
            cuDevicePrimaryCtxRetain(ctx, device);
            context = ctx;
            cuCtxSetCurrent(context);
            CUstream s = new CUstream();
            cuStreamCreate(s, CU_STREAM_NON_BLOCKING);
            stream = s;
            cublasHandle h = new cublasHandle();
            cublasCreate(h);
            cublas = h;
            cublasSetStream(cublas, new cudaStream_t(stream));
            CudaProbe.DeviceInfo info = CudaProbe.info(index, device);
            description = info.name() + " (sm_" + info.major() + info.minor() + ", " + Bytes.gib(info.totalBytes()) + ")";
        } catch (CudaException e) {
            IllegalStateException failed = new IllegalStateException("opening CUDA device " + index + " failed: " + e.getMessage(), e);
            try {
                close();
            } catch (RuntimeException suppressed) {
                failed.addSuppressed(suppressed);
            }
            throw failed;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** Runs body with this device's context current, naming call in any failure. */
    private void call(String call, CudaCall body) {
        try {
            cuCtxSetCurrent(context);
            body.run();
        } catch (CudaException e) {
            throw failure(call, e);
        }
    }

    private RuntimeException failure(String call, CudaException e) {
        String code = e.getMessage();
        if (code.equals(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))
                || code.equals(cublasStatus.stringFor(cublasStatus.CUBLAS_STATUS_ALLOC_FAILED))) {
            return new UserException("the GPU ran out of memory in " + call + memorySummary()
                    + ": use a smaller model or batch, or --device cpu", e);
        }
        // kernels and copies run asynchronously: their faults surface at a later call
        return new IllegalStateException(call + " failed on " + description + ": " + code
                + " (the fault may lie in earlier asynchronous work; CUDA_LAUNCH_BLOCKING=1 pins it down)", e);
    }

    private String memorySummary() {
        try {
            long[] info = memoryInfo();
            return " (" + Bytes.gib(info[0]) + " free of " + Bytes.gib(info[1]) + ")";
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** A JCuda pointer to a device address; JCuda adds the byte offset to its (zero) native pointer. */
    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    // ---- memory -----------------------------------------------------------------------------

    @Override
    public long malloc(long bytes) {
        if (bytes == 0) {
            return 0; // cuMemAlloc refuses 0 bytes; cuMemFree takes 0
        }
        Allocation p = new Allocation();
        call("cuMemAlloc of " + bytes + " bytes", () -> cuMemAlloc(p, bytes));
        return p.address();
    }

    @Override
    public void free(long address) {
        if (address == 0) {
            return;
        }
        call("cuMemFree", () -> cuMemFree(at(address)));
    }

    // Host arrays are pageable memory: an upload returns once the driver has staged them, so the
    // array may change right after; a download first waits for the stream, then copies synchronously,
    // so JCuda holds the array (a JNI critical section) only for the copy itself.

    @Override
    public void copyToDevice(long dst, float[] src, int srcOff, int n) {
        call("cuMemcpyHtoDAsync", () -> cuMemcpyHtoDAsync(at(dst),
                Pointer.to(src).withByteOffset((long) srcOff * Sizeof.FLOAT), (long) n * Sizeof.FLOAT, stream));
    }

    @Override
    public void copyToDevice(long dst, int[] src, int srcOff, int n) {
        call("cuMemcpyHtoDAsync", () -> cuMemcpyHtoDAsync(at(dst),
                Pointer.to(src).withByteOffset((long) srcOff * Sizeof.INT), (long) n * Sizeof.INT, stream));
    }

    @Override
    public void copyToDevice(long dst, byte[] src, int srcOff, int n) {
        call("cuMemcpyHtoDAsync", () -> cuMemcpyHtoDAsync(at(dst), Pointer.to(src).withByteOffset(srcOff), n, stream));
    }

    @Override
    public void copyToHost(float[] dst, int dstOff, long src, int n) {
        call("cuMemcpyDtoH", () -> {
            cuStreamSynchronize(stream);
            cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOff * Sizeof.FLOAT), at(src), (long) n * Sizeof.FLOAT);
        });
    }

    @Override
    public void copyToHost(double[] dst, int dstOff, long src, int n) {
        call("cuMemcpyDtoH", () -> {
            cuStreamSynchronize(stream);
            cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOff * Sizeof.DOUBLE), at(src), (long) n * Sizeof.DOUBLE);
        });
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes) {
        call("cuMemcpyDtoDAsync", () -> cuMemcpyDtoDAsync(at(dst), at(src), bytes, stream));
    }

    @Override
    public void memsetZero(long dst, long bytes) {
        call("cuMemsetD8Async", () -> cuMemsetD8Async(at(dst), (byte) 0, bytes, stream));
    }

    @Override
    public long[] memoryInfo() {
        long[] free = {0}, total = {0};
        call("cuMemGetInfo", () -> cuMemGetInfo(free, total));
        return new long[] {free[0], total[0]};
    }

    // ---- kernels ----------------------------------------------------------------------------

    @Override
    public void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                       int sharedBytes, Object... args) {
        Function f = function(kernel);
        checkArgs(f.kernel, args);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case Long v -> Pointer.to(new long[] {v});
                case Integer v -> Pointer.to(new int[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new AssertionError(args[i]); // checkArgs admits only these
            };
        }
        call("cuLaunchKernel(" + kernel + ")", () -> {
            if (sharedBytes > f.sharedLimit) {
                cuFuncSetAttribute(f.handle, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
                f.sharedLimit = sharedBytes;
            }
            cuLaunchKernel(f.handle, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes, stream,
                    Pointer.to(params), null);
        });
    }

    private static void checkArgs(PtxLibrary.Kernel kernel, Object[] args) {
        boolean ok = args.length == kernel.params().size();
        for (int i = 0; ok && i < args.length; i++) {
            ok = kernel.params().get(i).javaType.isInstance(args[i]);
        }
        if (!ok) {
            throw new IllegalArgumentException("kernel " + kernel.name() + " takes " + kernel.params()
                    + " but was launched with " + Arrays.stream(args)
                    .map(a -> a == null ? "null" : a.getClass().getSimpleName()).toList());
        }
    }

    private Function function(String kernel) {
        Function f = functions.get(kernel);
        if (f == null) {
            f = new Function(library.kernel(kernel));
            CUmodule module = module(f.kernel.module());
            CUfunction handle = f.handle;
            call("cuModuleGetFunction(" + kernel + ")", () -> cuModuleGetFunction(handle, module, kernel));
            functions.put(kernel, f);
        }
        return f;
    }

    private CUmodule module(String resource) {
        CUmodule module = modules.get(resource);
        if (module == null) {
            module = new CUmodule();
            try {
                cuCtxSetCurrent(context);
                cuModuleLoadData(module, library.ptx(resource));
            } catch (CudaException e) {
                if (e.getMessage().equals(CUresult.stringFor(CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION))) {
                    throw new UserException("the NVIDIA driver (for CUDA " + CudaProbe.status().driverCuda()
                            + ") is older than the kernels' PTX (" + resource + " is PTX ISA " + library.version(resource)
                            + "): update the driver, or use --device cpu", e);
                }
                throw failure("cuModuleLoadData(" + resource + ")", e);
            }
            modules.put(resource, module);
        }
        return module;
    }

    // ---- cuBLAS -----------------------------------------------------------------------------

    private static int op(boolean trans) {
        return trans ? CUBLAS_OP_T : CUBLAS_OP_N;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                      float beta, long c, int ldc) {
        call("cublasSgemm", () -> cublasSgemm(cublas, op(transA), op(transB), m, n, k,
                Pointer.to(new float[] {alpha}), at(a), lda, at(b), ldb, Pointer.to(new float[] {beta}), at(c), ldc));
    }

    @Override
    public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    long a, int lda, long strideA, long b, int ldb, long strideB,
                                    float beta, long c, int ldc, long strideC, int batch) {
        call("cublasSgemmStridedBatched", () -> cublasSgemmStridedBatched(cublas, op(transA), op(transB), m, n, k,
                Pointer.to(new float[] {alpha}), at(a), lda, strideA, at(b), ldb, strideB,
                Pointer.to(new float[] {beta}), at(c), ldc, strideC, batch));
    }

    @Override
    public void gemmBf16(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                         float beta, long c, int ldc) {
        call("cublasGemmEx", () -> cublasGemmEx_new(cublas, op(transA), op(transB), m, n, k,
                Pointer.to(new float[] {alpha}), at(a), CUDA_R_16BF, lda, at(b), CUDA_R_16BF, ldb,
                Pointer.to(new float[] {beta}), at(c), CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    }

    // ---- lifetime ---------------------------------------------------------------------------

    @Override
    public void synchronize() {
        call("cuStreamSynchronize", () -> cuStreamSynchronize(stream));
    }

    /** Releases the stream, the cuBLAS handle, the modules and the context (and with it any memory still allocated). */
    @Override
    public void close() {
        if (context == null) {
            return;
        }
        call("closing the device", () -> {
            if (cublas != null) {
                cublasDestroy(cublas);
            }
            for (CUmodule m : modules.values()) {
                cuModuleUnload(m);
            }
            if (stream != null) {
                cuStreamDestroy(stream);
            }
            cuDevicePrimaryCtxRelease(device);
            cuCtxSetCurrent(new CUcontext()); // none: the released context may be gone
        });
        modules.clear();
        functions.clear();
        context = null;
    }
}
