package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Memory of the emulated device: host memory behind device addresses. */
class EmulatorDeviceTest {

    @Test
    void copiesRoundTripAtOffsets() {
        try (EmulatorDevice dev = new EmulatorDevice(Emulators.kernels())) {
            long a = dev.malloc(4 * 100);
            long b = dev.malloc(4 * 100);
            assertEquals(0, a % 256, "cudaMalloc's alignment");
            float[] x = new float[100];
            for (int i = 0; i < x.length; i++) {
                x[i] = i * 0.5f - 7;
            }
            dev.copyToDevice(a, x, 0, 100);
            dev.copyToDevice(a + 4 * 10, new int[] {0x3f800000, 0x40000000}, 0, 2);  // 1.0f, 2.0f as bits
            dev.copyDeviceToDevice(b, a, 4 * 100);
            dev.memsetZero(b + 4 * 50, 4 * 25);
            float[] got = new float[100];
            dev.copyToHost(got, 0, b, 100);
            float[] want = x.clone();
            want[10] = 1;
            want[11] = 2;
            for (int i = 50; i < 75; i++) {
                want[i] = 0;
            }
            assertArrayEquals(want, got);
            float[] part = new float[5];
            dev.copyToHost(part, 2, b + 4 * 97, 3);
            assertArrayEquals(new float[] {0, 0, want[97], want[98], want[99]}, part);
        }
    }

    @Test
    void doublesArriveBitForBit() {
        try (EmulatorDevice dev = new EmulatorDevice(Emulators.kernels())) {
            double[] x = {Math.PI, -0.0, Double.MIN_VALUE, 1e300};
            long a = dev.malloc(8 * x.length);
            dev.copyToDevice(a, DoubleBits.words(x), 0, 2 * x.length);
            double[] got = new double[x.length + 1];
            dev.copyToHost(got, 1, a, x.length);
            assertArrayEquals(new double[] {0, Math.PI, -0.0, Double.MIN_VALUE, 1e300}, got);
        }
    }

    /** Int8 weights: bytes at any offset, little-endian under a float's bits. */
    @Test
    void bytesArriveAtByteOffsets() {
        try (EmulatorDevice dev = new EmulatorDevice(Emulators.kernels())) {
            long a = dev.malloc(12);
            dev.memsetZero(a, 12);
            dev.copyToDevice(a + 3, new byte[] {9, 0x00, 0x00, (byte) 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40}, 1, 8);
            float[] got = new float[3];
            dev.copyToHost(got, 0, a, 3);
            // float 1 is bytes 4..7 = 00 80 3f 00, float 2 bytes 8..11 = 00 00 40 00
            assertArrayEquals(new int[] {0, 0x003f8000, 0x00400000},
                    new int[] {Float.floatToRawIntBits(got[0]), Float.floatToRawIntBits(got[1]), Float.floatToRawIntBits(got[2])});
        }
    }

    @Test
    void freeChecksAndCloseFreesTheRest() {
        EmulatorDevice dev = new EmulatorDevice(Emulators.kernels());
        long a = dev.malloc(64);
        long b = dev.malloc(0);
        dev.free(a);
        assertThrows(IllegalArgumentException.class, () -> dev.free(a), "double free");
        assertThrows(IllegalArgumentException.class, () -> dev.free(12345), "not an allocation");
        dev.close();
        assertThrows(IllegalArgumentException.class, () -> dev.free(b), "freed by close");
    }

    @Test
    void describesItselfAndTheHostsMemory() {
        try (EmulatorDevice dev = new EmulatorDevice(Emulators.kernels())) {
            assertTrue(dev.describe().startsWith("CUDA emulator on the CPU ("), dev.describe());
            long[] info = dev.memoryInfo();
            assertTrue(info[1] > 0 && info[0] > 0 && info[0] <= info[1], info[0] + " of " + info[1]);
        }
    }
}
