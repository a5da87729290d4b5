package dev.emerald.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.emerald.util.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The C API of the CUDA emulator ({@code native/include/emerald_emu.h}) through the FFM API, in
 * jextract's style: one downcall handle per C function, each behind a typed method of the same
 * name. One instance per library: Emerald's kernels ({@value #LIBRARY}) or the test build's.
 */
public final class Emulator {
    /** The library of Emerald's kernels, packaged under {@code native/<os>-<arch>/} on the classpath. */
    public static final String LIBRARY = "libemerald_emu.so";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Map<String, Emulator> RESOURCES = new ConcurrentHashMap<>();

    private final MethodHandle emuMalloc;
    private final MethodHandle emuFree;
    private final MethodHandle emuMemcpy;
    private final MethodHandle emuMemset;
    private final MethodHandle emuLaunch;
    private final MethodHandle emuKernelSignature;
    private final MethodHandle emuKernelCount;
    private final MethodHandle emuKernelName;
    private final MethodHandle emuLastError;
    private final MethodHandle emuSynchronize;
    private final MethodHandle emuThreadCount;

    private Emulator(SymbolLookup lib) {
        emuMalloc = handle(lib, "emu_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        emuFree = handle(lib, "emu_free", FunctionDescriptor.ofVoid(ADDRESS));
        emuMemcpy = handle(lib, "emu_memcpy", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
        emuMemset = handle(lib, "emu_memset", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG));
        emuLaunch = handle(lib, "emu_launch", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        emuKernelSignature = handle(lib, "emu_kernel_signature", FunctionDescriptor.of(ADDRESS, ADDRESS));
        emuKernelCount = handle(lib, "emu_kernel_count", FunctionDescriptor.of(JAVA_INT));
        emuKernelName = handle(lib, "emu_kernel_name", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        emuLastError = handle(lib, "emu_last_error", FunctionDescriptor.of(ADDRESS));
        emuSynchronize = handle(lib, "emu_synchronize", FunctionDescriptor.ofVoid());
        emuThreadCount = handle(lib, "emu_thread_count", FunctionDescriptor.of(JAVA_INT));
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(lib.findOrThrow(name), descriptor);
    }

    /** The emulator with Emerald's kernels. */
    public static Emulator load() {
        return loadResource(LIBRARY);
    }

    /**
     * A library packaged on the classpath under {@code native/<os>-<arch>/}: copied once per JVM to a
     * temporary file (deleted on exit), as the dynamic loader needs a file.
     */
    public static Emulator loadResource(String library) {
        return RESOURCES.computeIfAbsent(library, Emulator::extractAndLoad);
    }

    /** A library file, e.g. one built by hand with {@code native/build.sh}. */
    public static Emulator load(Path file) {
        return new Emulator(SymbolLookup.libraryLookup(file, Arena.global()));
    }

    /** Where the build puts the libraries on the classpath, e.g. {@code /native/linux-x86_64/}. */
    static String resourceDir() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).replace(" ", "");
        String arch = System.getProperty("os.arch");
        return "/native/" + os + "-" + (arch.equals("amd64") ? "x86_64" : arch) + "/";
    }

    private static Emulator extractAndLoad(String library) {
        String resource = resourceDir() + library;
        try (InputStream in = Emulator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UserException("the CUDA emulator is not built (no " + resource.substring(1)
                        + "): g++ was not found when Emerald was built; install g++ and rebuild");
            }
            Path file = Files.createTempFile("emerald-", "-" + library);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract " + resource + " to a temporary file", e);
        }
    }

    /** Device (= host) memory, 256-byte aligned; 0 when out of memory. */
    public long malloc(long bytes) {
        try {
            return ((MemorySegment) emuMalloc.invokeExact(bytes)).address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void free(long ptr) {
        try {
            emuFree.invokeExact(MemorySegment.ofAddress(ptr));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void memcpy(long dst, long src, long bytes) {
        try {
            emuMemcpy.invokeExact(MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src), bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void memset(long dst, int value, long bytes) {
        try {
            emuMemset.invokeExact(MemorySegment.ofAddress(dst), value, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cuLaunchKernel's shape: kernelParams holds one pointer per argument. 0, or an EMU_ERROR code. */
    public int launch(String name, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                      MemorySegment kernelParams) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) emuLaunch.invokeExact(arena.allocateFrom(name), gx, gy, gz, bx, by, bz, sharedBytes,
                    kernelParams);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** One letter per parameter (p pointer, i int, l long long, f float), or null for an unknown kernel. */
    public String kernelSignature(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return string((MemorySegment) emuKernelSignature.invokeExact(arena.allocateFrom(name)));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The registered kernels, sorted. */
    public List<String> kernelNames() {
        try {
            int n = (int) emuKernelCount.invokeExact();
            List<String> names = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                names.add(string((MemorySegment) emuKernelName.invokeExact(i)));
            }
            return names;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The message of the library's most recent failure. */
    public String lastError() {
        try {
            return string((MemorySegment) emuLastError.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void synchronize() {
        try {
            emuSynchronize.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The OS threads that run blocks; 0 if EMERALD_EMU_THREADS is invalid (lastError says so). */
    public int threadCount() {
        try {
            return (int) emuThreadCount.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? null : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** The handles throw only what the native side throws, which is nothing: no checked exception escapes. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
