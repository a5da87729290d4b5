package dev.emerald.cli;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.backend.cuda.CudaProbe;
import dev.emerald.util.Bytes;
import dev.emerald.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine.Command;

import java.util.Optional;

/** {@code emerald devices}: what each {@code --device} would run on here, or why it cannot. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List the devices Emerald can run on.")
final class DevicesCommand implements Runnable {
    private static final String ROW = "%-9s %s%n";

    @Override
    public void run() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        System.out.printf(ROW, "cpu", Parallel.threads() + " threads, " + s.vectorBitSize() + "-bit vectors ("
                + s.length() + " floats), max heap " + Bytes.gib(Runtime.getRuntime().maxMemory()));
        CudaProbe.Status cuda = CudaProbe.status();
        if (cuda.available()) {
            for (CudaProbe.DeviceInfo d : CudaProbe.devices()) {
                System.out.printf(ROW, "cuda", d.index() + ": " + d.name() + ", compute capability " + d.major() + "." + d.minor()
                        + ", " + Bytes.gib(d.freeBytes()) + " free of " + Bytes.gib(d.totalBytes())
                        + " (driver for CUDA " + cuda.driverCuda() + ")");
            }
        } else {
            System.out.printf(ROW, "cuda", "not available: " + cuda.unavailableReason().orElseThrow());
        }
        Optional<String> emu = DeviceChoice.emulatorUnavailable();
        System.out.printf(ROW, "cuda-emu", emu.map(r -> "not available: " + r).orElse("available: runs the CUDA kernels on the CPU"));
        System.out.printf(ROW, "auto", "= " + DeviceChoice.AUTO.resolve().label());
    }
}
