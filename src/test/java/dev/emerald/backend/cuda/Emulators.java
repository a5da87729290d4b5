package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The emulator libraries for tests, which skip, with the reason, where they were not built (no g++). */
final class Emulators {
    static final String TEST_LIBRARY = "libemerald_emu_test.so";

    private Emulators() {
    }

    /** Emerald's kernels (src/main/cuda). */
    static Emulator kernels() {
        return load(Emulator.LIBRARY);
    }

    /** A CUDA backend on the emulator with Emerald's kernels. */
    static CudaBackend backend() {
        return new CudaBackend(new EmulatorDevice(kernels()));
    }

    /** The emulator's own test kernels (src/test/cuda). */
    static Emulator testKernels() {
        return load(TEST_LIBRARY);
    }

    private static Emulator load(String library) {
        assumeTrue(Emulator.class.getResource(Emulator.resourceDir() + library) != null,
                "the CUDA emulator was not built (no " + library + "): g++ was missing when the tests were built");
        return Emulator.loadResource(library);
    }
}
