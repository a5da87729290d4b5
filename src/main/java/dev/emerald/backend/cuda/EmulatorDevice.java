package dev.emerald.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import com.sun.management.OperatingSystemMXBean;
import dev.emerald.util.UserException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA device emulated on the CPU: the same kernel sources as the GPU, compiled into
 * {@code libemerald_emu.so} (see {@code native/README.md}), with host memory as device memory and
 * GEMMs by {@link EmulatorGemm}. For tests and for developing kernels without a GPU. Like a CUDA
 * stream, an instance is for one thread at a time.
 */
public final class EmulatorDevice implements DeviceApi {
    private final Emulator emu;
    private final int threads;
    private final Set<Long> allocations = new HashSet<>();
    private final Map<String, String> signatures = new HashMap<>();

    /** The emulator with Emerald's kernels. */
    public EmulatorDevice() {
        this(Emulator.load());
    }

    public EmulatorDevice(Emulator emu) {
        this.emu = emu;
        this.threads = emu.threadCount();
        if (threads <= 0) {
            throw new UserException(emu.lastError());
        }
    }

    @Override
    public String describe() {
        return "CUDA emulator on the CPU (" + threads + " threads)";
    }

    @Override
    public long malloc(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("malloc of " + bytes + " bytes");
        }
        long address = emu.malloc(bytes);
        if (address == 0) {
            throw new UserException(emu.lastError() + "; use a smaller model or batch");
        }
        allocations.add(address);
        return address;
    }

    @Override
    public void free(long address) {
        if (!allocations.remove(address)) {
            throw new IllegalArgumentException("free of 0x" + Long.toHexString(address)
                    + ", which is not a live allocation of this device");
        }
        emu.free(address);
    }

    @Override
    public void copyToDevice(long dst, float[] src, int srcOff, int n) {
        MemorySegment.copy(src, srcOff, at(dst, 4L * n), JAVA_FLOAT, 0, n);
    }

    @Override
    public void copyToDevice(long dst, int[] src, int srcOff, int n) {
        MemorySegment.copy(src, srcOff, at(dst, 4L * n), JAVA_INT, 0, n);
    }

    @Override
    public void copyToDevice(long dst, byte[] src, int srcOff, int n) {
        MemorySegment.copy(src, srcOff, at(dst, n), JAVA_BYTE, 0, n);
    }

    @Override
    public void copyToHost(float[] dst, int dstOff, long src, int n) {
        MemorySegment.copy(at(src, 4L * n), JAVA_FLOAT, 0, dst, dstOff, n);
    }

    @Override
    public void copyToHost(double[] dst, int dstOff, long src, int n) {
        MemorySegment.copy(at(src, 8L * n), JAVA_DOUBLE, 0, dst, dstOff, n);
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes) {
        emu.memcpy(dst, src, bytes);
    }

    @Override
    public void memsetZero(long dst, long bytes) {
        emu.memset(dst, 0, bytes);
    }

    /** Device memory at address, as a segment of the given size. */
    static MemorySegment at(long address, long bytes) {
        if (address == 0) {
            throw new IllegalArgumentException("null device address");
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                       int sharedBytes, Object... args) {
        String signature = signatures.computeIfAbsent(kernel, emu::kernelSignature);
        if (signature != null) {
            checkArgs(kernel, signature, args);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(ADDRESS, Math.max(1, args.length));
            for (int i = 0; i < args.length; i++) {
                params.setAtIndex(ADDRESS, i, switch (args[i]) {
                    case Long v -> arena.allocateFrom(JAVA_LONG, v);
                    case Integer v -> arena.allocateFrom(JAVA_INT, v);
                    case Float v -> arena.allocateFrom(JAVA_FLOAT, v);
                    case null, default -> throw new IllegalArgumentException(kernel + ": argument " + i
                            + " is not a Long, Integer or Float");
                });
            }
            int status = emu.launch(kernel, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes, params);
            if (status != 0) {
                throw new IllegalStateException("emulated launch failed: " + emu.lastError());
            }
        }
    }

    /**
     * The arguments against the kernel's C parameter types, which the launch cannot check: a wrong
     * one would be read as garbage (a pointer read from an int's 4 bytes crashes the JVM).
     */
    private static void checkArgs(String kernel, String signature, Object[] args) {
        if (args.length != signature.length()) {
            throw new IllegalArgumentException(kernel + " takes " + signature.length() + " arguments ("
                    + signature + "), got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            char want = signature.charAt(i);
            boolean ok = switch (args[i]) {
                case Long v -> want == 'p' || want == 'l';
                case Integer v -> want == 'i';
                case Float v -> want == 'f';
                case null, default -> false;
            };
            if (!ok) {
                throw new IllegalArgumentException(kernel + " (" + signature + "): argument " + i + " is "
                        + (args[i] == null ? "null" : article(args[i].getClass().getSimpleName())) + ", expected "
                        + switch (want) {
                            case 'p' -> "a Long (pointer)";
                            case 'l' -> "a Long";
                            case 'i' -> "an Integer";
                            default -> "a Float";
                        });
            }
        }
    }

    private static String article(String noun) {
        return ("AEIOU".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b,
                      int ldb, float beta, long c, int ldc) {
        EmulatorGemm.sgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);
    }

    @Override
    public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a,
                                    int lda, long strideA, long b, int ldb, long strideB, float beta, long c,
                                    int ldc, long strideC, int batch) {
        EmulatorGemm.sgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB,
                beta, c, ldc, strideC, batch);
    }

    @Override
    public void gemmBf16(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b,
                         int ldb, float beta, long c, int ldc) {
        EmulatorGemm.gemmBf16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    public void synchronize() {
        emu.synchronize();
    }

    /** The host's free and total physical memory, which is what the emulator allocates from. */
    @Override
    public long[] memoryInfo() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new long[] {os.getFreeMemorySize(), os.getTotalMemorySize()};
    }

    /** Frees what is still allocated, as destroying a CUDA context does. */
    @Override
    public void close() {
        for (long address : allocations) {
            emu.free(address);
        }
        allocations.clear();
    }
}
