package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emerald.util.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** EMERALD_EMU_THREADS, which the library reads once per process: each case in a JVM of its own. */
class EmulatorThreadsTest {

    /** Run in the child JVM: prints the device's description, or the one line a user would see. */
    public static void main(String[] args) {
        try (EmulatorDevice dev = new EmulatorDevice(Emulator.loadResource(Emulators.TEST_LIBRARY))) {
            System.out.print(dev.describe());
        } catch (UserException e) {
            System.out.print(e.getMessage());
        }
    }

    private static String childWith(String threads) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                EmulatorThreadsTest.class.getName());
        pb.environment().put("EMERALD_EMU_THREADS", threads);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void setsTheNumberOfThreads() throws Exception {
        Emulators.testKernels();
        assertEquals("CUDA emulator on the CPU (3 threads)", childWith("3"));
    }

    @Test
    void rejectsANonNumberWithOneClearLine() throws Exception {
        Emulators.testKernels();
        assertEquals("EMERALD_EMU_THREADS='many' is not a number from 1 to 4096: set it to the number of threads "
                + "the emulator may use, or unset it", childWith("many"));
    }
}
