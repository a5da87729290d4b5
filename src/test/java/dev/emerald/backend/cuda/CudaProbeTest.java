package dev.emerald.backend.cuda;

import dev.emerald.util.UserException;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class CudaProbeTest {
    private static final String NO_DRIVER = "no NVIDIA driver (libcuda.so.1 not found)";

    /** Whether the dynamic linker finds the NVIDIA driver, asked directly rather than through JCuda. */
    private static boolean driverLoads() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** What JCuda's LibUtils throws when its native library does not link (the shape seen on a machine without the driver). */
    private static UnsatisfiedLinkError jcudaLinkError(String library, String dlerror) {
        return new UnsatisfiedLinkError("Error while loading native library \"" + library + "-12.6.0-linux-x86_64\"\n"
                + "Operating system name: Linux\n---(start of nested stack traces)---\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no " + library + "-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/lib" + library + "-12.6.0-linux-x86_64.so: " + dlerror + "\n"
                + "---(end of nested stack traces)---\n");
    }

    @Test
    void statusAgreesWithTheDynamicLinker() {
        CudaProbe.Status status = CudaProbe.status();
        assertSame(status, CudaProbe.status(), "probed once");
        if (driverLoads()) {
            assertFalse(status.unavailableReason().orElse("").contains("libcuda.so.1 not found"), status::toString);
        } else {
            assertEquals(NO_DRIVER, status.unavailableReason().orElseThrow());
            assertEquals(0, status.deviceCount());
        }
    }

    @Test
    void laterUsesOfABrokenJCudaGiveTheSameReason() {
        assumeFalse(driverLoads(), "the NVIDIA driver loads here");
        CudaProbe.status();
        // after the first failure JCuda's class is unusable: NoClassDefFoundError, with the start of the first message
        LinkageError later = assertThrows(LinkageError.class, () -> JCudaDriver.setExceptionsEnabled(true));
        assertTrue(later instanceof NoClassDefFoundError, later::toString);
        assertTrue(CudaProbe.linkReason(later).startsWith("JCuda's native library JCudaDriver-12.6.0-linux-x86_64 did not load"),
                CudaProbe.linkReason(later));
    }

    @Test
    void openingADeviceWithoutCudaSaysWhy() {
        CudaProbe.Status status = CudaProbe.status();
        assumeFalse(status.available(), "a CUDA GPU works here");
        UserException e = assertThrows(UserException.class, () -> new JCudaDevice(0));
        assertEquals("CUDA is not available: " + status.unavailableReason().orElseThrow(), e.getMessage());
    }

    @Test
    void namesTheMissingLibrary() {
        assertEquals(NO_DRIVER, CudaProbe.linkReason(jcudaLinkError("JCudaDriver",
                "libcuda.so.1: cannot open shared object file: No such file or directory")));
        String cublas = CudaProbe.linkReason(jcudaLinkError("JCublas2",
                "libcublas.so.12: cannot open shared object file: No such file or directory"));
        assertTrue(cublas.startsWith("libcublas.so.12 not found (") && cublas.contains("nvidia-cublas-cu12")
                && cublas.contains("LD_LIBRARY_PATH"), cublas);
        // libcublas.so.12 present but its own dependency missing
        assertTrue(CudaProbe.linkReason(jcudaLinkError("JCublas2",
                "libcublasLt.so.12: cannot open shared object file: No such file or directory")).startsWith("libcublasLt.so.12 not found"));
        assertEquals("libfoo.so.3 not found", CudaProbe.linkReason(jcudaLinkError("JCudaDriver",
                "libfoo.so.3: cannot open shared object file: No such file or directory")));
    }

    @Test
    void findsTheReasonInsideWrappers() {
        Throwable wrapped = new NoClassDefFoundError("Could not initialize class jcuda.jcublas.JCublas2");
        wrapped.initCause(new ExceptionInInitializerError("Exception " + jcudaLinkError("JCublas2",
                "libcublas.so.12: cannot open shared object file: No such file or directory")));
        assertTrue(CudaProbe.linkReason(wrapped).startsWith("libcublas.so.12 not found"), CudaProbe.linkReason(wrapped));
    }

    @Test
    void anyOtherLinkErrorQuotesTheDynamicLinker() {
        String dlerror = "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found";
        assertEquals("JCuda's native library JCudaDriver-12.6.0-linux-x86_64 did not load (" + dlerror + ")",
                CudaProbe.linkReason(jcudaLinkError("JCudaDriver", dlerror)));
        assertEquals("JCuda's native library did not load", CudaProbe.linkReason(new UnsatisfiedLinkError("something else")));
    }

    @Test
    void cuInitFailuresSayWhatToDo() {
        assertEquals("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)", CudaProbe.initReason("CUDA_ERROR_NO_DEVICE"));
        assertTrue(CudaProbe.initReason("CUDA_ERROR_STUB_LIBRARY").contains("stub"));
        assertTrue(CudaProbe.initReason("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH").contains("reboot"));
        assertEquals("cuInit failed: CUDA_ERROR_UNKNOWN", CudaProbe.initReason("CUDA_ERROR_UNKNOWN"));
    }

    @Test
    void driverVersionsReadAsCudaReleases() {
        assertEquals("12.4", CudaProbe.cudaVersion(12040));
        assertEquals("12.9", CudaProbe.cudaVersion(12090));
        assertEquals("13.0", CudaProbe.cudaVersion(13000));
    }

    @Test
    void deviceNamesEndAtTheirTerminator() {
        byte[] name = new byte[16];
        byte[] h100 = "NVIDIA H100".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(h100, 0, name, 0, h100.length);
        assertEquals("NVIDIA H100", CudaProbe.cString(name));
    }
}
