package dev.emerald.backend;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.backend.cuda.Attention;
import dev.emerald.backend.cuda.CudaBackend;
import dev.emerald.backend.cuda.CudaProbe;
import dev.emerald.backend.cuda.DeviceApi;
import dev.emerald.backend.cuda.EmulatorDevice;
import dev.emerald.backend.cuda.JCudaDevice;
import dev.emerald.util.UserException;

import java.util.Arrays;
import java.util.Optional;

/** The {@code --device} choices, what each needs, and how each opens a {@link Backend}. */
public enum DeviceChoice {
    AUTO("auto"), CPU("cpu"), CUDA("cuda"), CUDA_EMU("cuda-emu");

    /** The emulator's shared library, a classpath resource when the build has it. */
    public static final String EMULATOR_LIBRARY = "native/linux-x86_64/libemerald_emu.so";

    private final String label;

    DeviceChoice(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static DeviceChoice parse(String name) {
        return Arrays.stream(values()).filter(d -> d.label.equals(name)).findFirst()
                .orElseThrow(() -> new UserException("unknown device '" + name + "': use auto, cpu, cuda or cuda-emu"));
    }

    /** auto becomes cuda when a CUDA device works, else cpu; the others stay as they are. */
    public DeviceChoice resolve() {
        return this != AUTO ? this : CudaProbe.status().available() ? CUDA : CPU;
    }

    /** Why the emulator cannot run here, or empty when it can. */
    public static Optional<String> emulatorUnavailable() {
        return DeviceChoice.class.getClassLoader().getResource(EMULATOR_LIBRARY) != null ? Optional.empty()
                : Optional.of("the CUDA emulator library (" + EMULATOR_LIBRARY + ") is not in this build");
    }

    public Backend open() {
        return open(Precision.FP32);
    }

    /** With the GEMMs in precision: bf16 needs a CUDA backend (the CPU backend computes in float only). */
    public Backend open(Precision precision) {
        DeviceChoice device = resolve();
        if (device == CPU && precision != Precision.FP32) {
            throw new UserException("--precision " + precision.label() + " needs a CUDA device (--device cuda or cuda-emu)"
                    + (this == AUTO ? ", and auto found none" : "") + ": the CPU backend computes in fp32 only; leave --precision out");
        }
        return switch (device) {
            case CPU -> new CpuBackend();
            case CUDA -> cudaBackend(openCuda(), precision);
            case CUDA_EMU -> cudaBackend(openEmulator(), precision);
            case AUTO -> throw new AssertionError("resolve() never gives auto");
        };
    }

    private static DeviceApi openCuda() {
        CudaProbe.Status status = CudaProbe.status();
        if (!status.available()) {
            throw new UserException("CUDA is not available: " + status.unavailableReason().orElseThrow() + "; use --device cpu"
                    + (emulatorUnavailable().isEmpty() ? " (or cuda-emu to run the CUDA kernels on the CPU)" : ""));
        }
        return new JCudaDevice(0);
    }

    private static DeviceApi openEmulator() {
        Optional<String> unavailable = emulatorUnavailable();
        if (unavailable.isPresent()) {
            throw new UserException("cuda-emu is not available: " + unavailable.get() + "; use --device cpu");
        }
        return new EmulatorDevice();
    }

    /** CUDA ops on a device, real or emulated, with the configured attention. */
    private static Backend cudaBackend(DeviceApi device, Precision precision) {
        return new CudaBackend(device, Attention.configured(), precision);
    }
}
