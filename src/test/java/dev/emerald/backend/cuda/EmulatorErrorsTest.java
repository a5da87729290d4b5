package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Kernel bugs and bad launches fail with a message naming the kernel, block and thread: never a
 * hang (the timeout fails the test if one did) or a crash; and the emulator works on afterwards.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmulatorErrorsTest {
    private EmulatorDevice dev;
    private long buf;

    @BeforeEach
    void open() {
        dev = new EmulatorDevice(Emulators.testKernels());
        buf = dev.malloc(4 * 4096);
    }

    @AfterEach
    void close() {
        if (dev != null) {  // null where the emulator was not built
            dev.close();
        }
    }

    /** Runs a launch that must fail; returns its message, after checking that a good launch still works. */
    private String fails(Class<? extends RuntimeException> type, Executable launch) {
        String message = assertThrows(type, launch).getMessage();
        dev.copyToDevice(buf, new float[64], 0, 64);
        long in = dev.malloc(4 * 64);
        dev.copyToDevice(in, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
            21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}, 0, 32);
        dev.launch("shuffle_warp_sum_xor", 1, 1, 1, 32, 1, 1, 0, buf, in);
        float[] sums = new float[32];
        dev.copyToHost(sums, 0, buf, 32);
        assertEquals(528, sums[31], "a launch after the failure");
        return message;
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + part + "' not in: " + message);
        }
    }

    @Test
    void barrierThatAThreadHasLeft() {
        String m = fails(IllegalStateException.class,
                () -> dev.launch("errors_partial_barrier", 2, 1, 1, 64, 1, 1, 0, buf));
        assertContains(m, "errors_partial_barrier", "block (0, 0, 0)", "__syncthreads()", "thread (5, 0, 0) has exited");
    }

    @Test
    void shuffleReachedByHalfAWarp() {
        String m = fails(IllegalStateException.class,
                () -> dev.launch("errors_partial_shuffle", 1, 1, 1, 64, 1, 1, 0, buf));
        assertContains(m, "errors_partial_shuffle", "thread (16, 0, 0) of its warp has exited", "full warp");
    }

    @Test
    void shuffleInABlockOfPartialWarps() {
        String m = fails(IllegalStateException.class,
                () -> dev.launch("shuffle_warp_sum_xor", 1, 1, 1, 48, 1, 1, 0, buf, buf));
        assertContains(m, "shuffle_warp_sum_xor", "warp 1, which has only 16 threads", "multiple of 32");
    }

    @Test
    void shuffleWithAPartialMask() {
        String m = fails(IllegalStateException.class,
                () -> dev.launch("errors_shuffle_mask", 1, 1, 1, 32, 1, 1, 0, buf));
        assertContains(m, "errors_shuffle_mask", "__shfl_xor_sync with mask 0x0000ffff");
    }

    @Test
    void lanesOfAWarpAtDifferentShuffles() {
        String m = fails(IllegalStateException.class,
                () -> dev.launch("errors_divergent_shuffles", 1, 1, 1, 32, 1, 1, 0, buf));
        assertContains(m, "errors_divergent_shuffles", "__shfl_down_sync", "__shfl_xor_sync");
    }

    @Test
    void unknownKernel() {
        String m = fails(IllegalStateException.class, () -> dev.launch("no_such_kernel", 1, 1, 1, 32, 1, 1, 0));
        assertContains(m, "no kernel 'no_such_kernel'");
    }

    @Test
    void configurationsOverCudasLimits() {
        assertContains(fails(IllegalStateException.class,
                () -> dev.launch("atomics_count", 1, 1, 1, 1025, 1, 1, 0, buf)), "block (1025, 1, 1)", "1024");
        assertContains(fails(IllegalStateException.class,
                () -> dev.launch("atomics_count", 1, 1, 1, 64, 4, 8, 0, buf)), "block (64, 4, 8)");
        assertContains(fails(IllegalStateException.class,
                () -> dev.launch("atomics_count", 1, 1, 1, 32, 1, 1, 48 * 1024 + 1, buf)), "49153 bytes");
        assertContains(fails(IllegalStateException.class,
                () -> dev.launch("atomics_count", 0, 1, 1, 32, 1, 1, 0, buf)), "empty launch");
    }

    @Test
    void argumentsThatDoNotMatchTheKernel() {
        assertContains(fails(IllegalArgumentException.class,
                () -> dev.launch("barrier_rounds", 1, 1, 1, 32, 1, 1, 0, buf)), "takes 2 arguments (pi), got 1");
        assertContains(fails(IllegalArgumentException.class,
                () -> dev.launch("barrier_rounds", 1, 1, 1, 32, 1, 1, 0, 5, buf)),
                "argument 0 is an Integer, expected a Long (pointer)");
        assertContains(fails(IllegalArgumentException.class,
                () -> dev.launch("barrier_rounds", 1, 1, 1, 32, 1, 1, 0, buf, 2.0f)),
                "argument 1 is a Float, expected an Integer");
    }
}
