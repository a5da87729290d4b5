package dev.emerald.cli;

import dev.emerald.backend.Backend;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.util.UserException;
import picocli.CommandLine.Option;

/** Options every command shares. */
final class Common {
    @Option(names = "--device", paramLabel = "DEVICE", description = "where to run: cpu (default: ${DEFAULT-VALUE})")
    String device = "cpu";

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    Backend backend() {
        return switch (device) {
            case "cpu" -> new CpuBackend();
            case "cuda", "cuda-emu" -> throw new UserException("device '" + device + "' is not available in this build yet: use --device cpu");
            default -> throw new UserException("unknown device '" + device + "': use cpu");
        };
    }
}
