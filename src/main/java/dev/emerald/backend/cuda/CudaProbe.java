package dev.emerald.backend.cuda;

import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.JCudaDriver.cuCtxPopCurrent;
import static jcuda.driver.JCudaDriver.cuCtxPushCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

/**
 * Whether CUDA works here, and if not, why. JCuda's natives link against the NVIDIA driver
 * ({@code libcuda.so.1}) and cuBLAS ({@code libcublas.so.12}); a missing one shows up as an
 * {@link UnsatisfiedLinkError} from a static initializer the first time, and as a
 * {@link NoClassDefFoundError} on every later use, so the first answer is kept.
 */
public final class CudaProbe {

    /** The outcome: CUDA works when reason is empty. driverVersion as cuDriverGetVersion gives it (12040 = 12.4). */
    public record Status(Optional<String> unavailableReason, int deviceCount, int driverVersion) {
        public boolean available() {
            return unavailableReason.isEmpty();
        }

        /** e.g. "12.4". */
        public String driverCuda() {
            return cudaVersion(driverVersion);
        }
    }

    public record DeviceInfo(int index, String name, int major, int minor, long freeBytes, long totalBytes) {
    }

    private static final Pattern MISSING_LIBRARY = Pattern.compile("([\\w.+-]+\\.so[.\\d]*): cannot open shared object file");
    /** The dynamic linker's complaint, as JCuda quotes it after the path of the library it tried. */
    private static final Pattern DLERROR = Pattern.compile("UnsatisfiedLinkError: /\\S+\\.so: (.+)");
    private static final Pattern NATIVE_LIBRARY = Pattern.compile("Error while loading native library \"([^\"]+)\"");

    private static Status status;

    private CudaProbe() {
    }

    public static synchronized Status status() {
        if (status == null) {
            status = probe();
        }
        return status;
    }

    private static Status probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true); // loads libJCudaDriver, which links libcuda.so.1
        } catch (LinkageError e) {
            return unavailable(linkReason(e));
        }
        int[] version = {0}, count = {0};
        try {
            cuInit(0);
            cuDriverGetVersion(version);
            cuDeviceGetCount(count);
        } catch (CudaException e) {
            return unavailable(initReason(e.getMessage()));
        }
        if (count[0] == 0) {
            return unavailable("no CUDA device");
        }
        try {
            JCublas2.setExceptionsEnabled(true); // loads libJCublas2, which links libcublas.so.12
        } catch (LinkageError e) {
            return unavailable(linkReason(e));
        }
        return new Status(Optional.empty(), count[0], version[0]);
    }

    private static Status unavailable(String reason) {
        return new Status(Optional.of(reason), 0, 0);
    }

    /**
     * Why a JCuda native library did not load, from the messages of the error and its causes: JCuda's
     * own message quotes the dynamic linker's; a later use's NoClassDefFoundError keeps only the
     * start of it, which still names the library.
     */
    static String linkReason(Throwable e) {
        String library = null, dlerror = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = Objects.requireNonNullElse(t.getMessage(), "");
            Matcher m;
            if ((m = MISSING_LIBRARY.matcher(message)).find()) {
                return missingLibraryReason(m.group(1));
            }
            if (dlerror == null && (m = DLERROR.matcher(message)).find()) {
                dlerror = m.group(1);
            }
            if (library == null && (m = NATIVE_LIBRARY.matcher(message)).find()) {
                library = m.group(1);
            }
        }
        String what = "JCuda's native library " + (library == null ? "" : library + " ") + "did not load";
        return dlerror == null ? what : what + " (" + dlerror + ")";
    }

    private static String missingLibraryReason(String library) {
        if (library.startsWith("libcuda.so")) {
            return "no NVIDIA driver (" + library + " not found)";
        }
        if (library.startsWith("libcublas")) {
            return library + " not found (install cuBLAS for CUDA 12, e.g. the CUDA 12 toolkit or"
                    + " 'pip install nvidia-cublas-cu12', and add its lib directory to LD_LIBRARY_PATH)";
        }
        return library + " not found";
    }

    static String initReason(String code) {
        if (code.equals(CUresult.stringFor(CUresult.CUDA_ERROR_NO_DEVICE))) {
            return "no CUDA device (cuInit: " + code + ")";
        }
        if (code.equals(CUresult.stringFor(CUresult.CUDA_ERROR_STUB_LIBRARY))) {
            return "libcuda.so.1 is the CUDA toolkit's stub, not the NVIDIA driver (take the toolkit's stubs"
                    + " directory out of LD_LIBRARY_PATH)";
        }
        if (code.equals(CUresult.stringFor(CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH))) {
            return "the NVIDIA kernel module and libcuda.so.1 are different driver versions (cuInit: " + code
                    + "); reboot, or reinstall the driver";
        }
        return "cuInit failed: " + code;
    }

    /** cuDriverGetVersion's 12040 as "12.4". */
    static String cudaVersion(int version) {
        return version / 1000 + "." + version % 1000 / 10;
    }

    /** Every device with its free memory; takes a moment, as it opens each device's primary context. */
    public static List<DeviceInfo> devices() {
        if (!status().available()) {
            return List.of();
        }
        List<DeviceInfo> result = new ArrayList<>();
        for (int i = 0; i < status().deviceCount(); i++) {
            CUdevice device = new CUdevice();
            cuDeviceGet(device, i);
            CUcontext context = new CUcontext();
            cuDevicePrimaryCtxRetain(context, device);
            try {
                cuCtxPushCurrent(context);
                try {
                    result.add(info(i, device));
                } finally {
                    cuCtxPopCurrent(new CUcontext());
                }
            } finally {
                cuDevicePrimaryCtxRelease(device);
            }
        }
        return result;
    }

    /** The device's name and compute capability, and its memory as seen from the current context. */
    static DeviceInfo info(int index, CUdevice device) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int[] major = {0}, minor = {0};
        cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        long[] free = {0}, total = {0};
        cuMemGetInfo(free, total);
        return new DeviceInfo(index, cString(name), major[0], minor[0], free[0], total[0]);
    }

    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
