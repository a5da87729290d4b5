package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every kernel is tested, and the emulator and the PTX hold the same kernels. */
class KernelCoverageTest {
    private static final Path TESTS = Path.of("src/test/java");
    private static final Path PTX = Path.of("target/classes/cuda");

    /**
     * Kernels whose name appears nowhere in the tests as a whole word: in a launch's string literal, or
     * in the assertion message of a test that runs the kernel through CudaBackend.
     */
    private static List<String> untested(Emulator emu) throws IOException {
        StringBuilder sources = new StringBuilder();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.append(Files.readString(file));
            }
        }
        List<String> untested = new ArrayList<>();
        for (String kernel : emu.kernelNames()) {
            if (!Pattern.compile("\\b" + Pattern.quote(kernel) + "\\b").matcher(sources).find()) {
                untested.add(kernel);
            }
        }
        return untested;
    }

    @Test
    void everyKernelOfEmeraldHasATest() throws IOException {
        Emulator emu = Emulators.kernels();
        assertTrue(emu.kernelNames().contains("layernorm_forward1"), emu.kernelNames().toString());
        assertEquals(List.of(), untested(emu), "kernels no test names under " + TESTS);
    }

    @Test
    void everyEmulatorTestKernelHasATest() throws IOException {
        assertEquals(List.of(), untested(Emulators.testKernels()), "test kernels no test names");
    }

    /** Catches a kernel without EMERALD_KERNEL (on the GPU only) or a .cu file the PTX build skipped. */
    @Test
    void ptxEntriesAreTheEmulatorsKernels() throws IOException {
        Emulator emu = Emulators.kernels();
        assumeTrue(Files.isDirectory(PTX), "no PTX in " + PTX + ": nvcc was missing when Emerald was built");
        Pattern entry = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");
        Set<String> entries = new TreeSet<>();
        try (Stream<Path> files = Files.list(PTX)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ptx")).toList()) {
                Matcher m = entry.matcher(Files.readString(file));
                while (m.find()) {
                    entries.add(m.group(1));
                }
            }
        }
        assertEquals(new TreeSet<>(emu.kernelNames()), entries);
    }
}
