package dev.emerald.cli;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.backend.cuda.CudaProbe;
import dev.emerald.util.Parallel;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesCommandTest {
    private static List<String> rows(List<String> lines, String device) {
        return lines.stream().filter(l -> l.split(" +", 2)[0].equals(device)).map(l -> l.split(" +", 2)[1]).toList();
    }

    @Test
    void listsEveryDeviceOrWhyNot() {
        Cli.Result r = Cli.run("devices");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();

        List<String> cpu = rows(lines, "cpu");
        assertEquals(1, cpu.size(), r::toString);
        assertTrue(cpu.getFirst().startsWith(Parallel.threads() + " threads, "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors"), r::toString);

        CudaProbe.Status status = CudaProbe.status();
        List<String> cuda = rows(lines, "cuda");
        if (status.available()) {
            assertEquals(status.deviceCount(), cuda.size(), r::toString);
            for (int i = 0; i < cuda.size(); i++) {
                assertTrue(cuda.get(i).startsWith(i + ": ") && cuda.get(i).contains("compute capability"), r::toString);
            }
        } else {
            assertEquals(List.of("not available: " + status.unavailableReason().orElseThrow()), cuda);
        }

        assertEquals(List.of(DeviceChoice.emulatorUnavailable().map(why -> "not available: " + why)
                .orElse("available: runs the CUDA kernels on the CPU")), rows(lines, "cuda-emu"));
        assertEquals(List.of("= " + (status.available() ? "cuda" : "cpu")), rows(lines, "auto"));
        assertEquals(1 + cuda.size() + 2, lines.size(), r::toString);
    }
}
