package dev.emerald.cli;

import dev.emerald.backend.Backend;
import dev.emerald.backend.DeviceChoice;
import dev.emerald.backend.Precision;
import picocli.CommandLine.Option;

/** Options every command shares. */
final class Common {
    @Option(names = "--device", paramLabel = "DEVICE",
            description = "where to run: auto (a CUDA GPU when one works, else cpu), cpu, cuda or cuda-emu (default: ${DEFAULT-VALUE})")
    String device = "auto";

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    Backend backend() {
        return DeviceChoice.parse(device).open();
    }

    /** The device's backend with its GEMMs in precision. */
    Backend backend(Precision precision) {
        return DeviceChoice.parse(device).open(precision);
    }
}
