package dev.emerald.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.emerald.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * bf16 for tests: a naive round-to-nearest-even written from the definition (not from the kernels'
 * bit trick), and bf16 values to and from the emulator's memory.
 */
final class Bf16 {
    private Bf16() {
    }

    /**
     * The bits of the bf16 nearest to x: its two bf16 neighbours (x's top 16 bits, and the next value
     * away from zero, infinity counting as 2^128 as IEEE 754's rounding has it) are compared by their
     * distance to x in double, where it is exact; a tie goes to the neighbour whose last bit is 0. A NaN
     * gives CUDA's canonical NaN, 0x7fff.
     */
    static short round(float x) {
        if (Float.isNaN(x)) {
            return 0x7fff;
        }
        int bits = Float.floatToRawIntBits(x);
        int down = bits >>> 16, up = down + 1;
        if (Float.isInfinite(x) || bits << 16 == 0) {
            return (short) down;  // exact
        }
        double lo = value((short) down);
        double hi = (up & 0x7fff) == 0x7f80 ? Math.copySign(0x1p128, x) : value((short) up);
        double toLo = Math.abs(x - lo), toHi = Math.abs(hi - x);
        return (short) (toLo < toHi ? down : toHi < toLo ? up : (down & 1) == 0 ? down : up);
    }

    /** The float a bf16 stands for (exact). */
    static float value(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** Each value rounded to bf16, as a float. */
    static float[] rounded(float[] x) {
        float[] r = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = value(round(x[i]));
        }
        return r;
    }

    /** The bits of a bf16 tensor of the emulator. */
    static short[] bits(Tensor t) {
        CudaStorage s = (CudaStorage) t.storage();
        short[] h = new short[t.len()];
        MemorySegment.copy(EmulatorDevice.at(s.address() + 2 * t.offset(), 2 * t.size()), JAVA_SHORT, 0, h, 0, h.length);
        return h;
    }

    /** The values of bf16 bits, as floats. */
    static float[] values(short[] h) {
        float[] x = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            x[i] = value(h[i]);
        }
        return x;
    }

    /** h packed two to an int, little-endian, for a device's int copy. */
    static int[] packed(short[] h) {
        int[] words = new int[(h.length + 1) / 2];
        for (int i = 0; i < h.length; i++) {
            words[i / 2] |= (h[i] & 0xffff) << (16 * (i % 2));
        }
        return words;
    }

    /** Writes h into emulator memory at address. */
    static void write(long address, short[] h) {
        MemorySegment.copy(h, 0, EmulatorDevice.at(address, 2L * h.length), JAVA_SHORT, 0, h.length);
    }

    /** Each value's bf16 bits (rounded to nearest even). */
    static short[] bits(float[] x) {
        short[] h = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            h[i] = round(x[i]);
        }
        return h;
    }
}
