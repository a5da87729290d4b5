package dev.emerald.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emerald.backend.Precision;
import dev.emerald.tensor.Tensor;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The float to bf16 cast (bf16_from_float1, through CudaBackend.castBf16) against the naive
 * round-to-nearest-even of {@link Bf16}, bit for bit: ties both ways, the values on either side of a tie,
 * subnormals, overflow to infinity, infinities, zeros and NaNs with any payload and sign; then random bits.
 */
class Bf16CastTest {
    private EmulatorDevice device;
    private CudaBackend cuda;

    @BeforeEach
    void open() {
        device = new EmulatorDevice(Emulators.kernels());
        cuda = new CudaBackend(device, Attention.UNFUSED, Precision.BF16);
    }

    @AfterEach
    void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    /** The reference itself, on cases worked out from the definition. */
    @Test
    void referenceRoundsToNearestTiesToEven() {
        float ulp1 = 0x1p-7f;  // bf16's spacing in [1, 2): 7 stored mantissa bits
        assertEquals(1f, Bf16.value(Bf16.round(1 + ulp1 / 2)), "a tie goes down to the even 1");
        assertEquals(1 + 2 * ulp1, Bf16.value(Bf16.round(1 + 1.5f * ulp1)), "a tie goes up to the even 1 + 2 ulp");
        assertEquals(1 + ulp1, Bf16.value(Bf16.round(Math.nextUp(1 + ulp1 / 2))), "just above a tie goes up");
        assertEquals(1f, Bf16.value(Bf16.round(Math.nextDown(1 + ulp1 / 2))), "just below a tie goes down");
        assertEquals(-1f, Bf16.value(Bf16.round(-1 - ulp1 / 2)), "ties of negatives by magnitude");
        assertEquals(Float.POSITIVE_INFINITY, Bf16.value(Bf16.round(Float.MAX_VALUE)), "beyond bf16's largest: infinity");
        assertEquals(0x1p-133f, Bf16.value(Bf16.round(0x1p-133f + 0x1p-140f)), "a subnormal keeps 7 bits below 2^-126");
        assertEquals(0f, Bf16.value(Bf16.round(Float.MIN_VALUE)), "float's smallest subnormal is below bf16's half-ulp");
        assertEquals(0x7fff, Bf16.round(Float.intBitsToFloat(0xff800001)), "a NaN is the canonical NaN");
    }

    private short[] cast(int[] bits, int offset) {
        Tensor src = cuda.alloc(bits.length + offset).slice(offset, bits.length);
        device.copyToDevice(((CudaStorage) src.storage()).address() + 4L * offset, bits, 0, bits.length);
        Tensor dst = cuda.allocBf16(bits.length + offset).slice(offset, bits.length);
        cuda.castBf16(dst, src);
        return Bf16.bits(dst);
    }

    private static void assertRounded(int[] bits, short[] out) {
        for (int i = 0; i < bits.length; i++) {
            int b = bits[i];
            assertEquals(Bf16.round(Float.intBitsToFloat(b)), out[i], () -> String.format("bf16_from_float1 of 0x%08x", b));
        }
    }

    @Test
    void specialValues() {
        int[] bits = {
            0x00000000, 0x80000000, 0x3f800000, 0xbf800000,            // zeros, exact values
            0x3f808000, 0x3f818000, 0xbf808000, 0xbf818000,            // ties: even kept half stays, odd rounds up
            0x3f807fff, 0x3f808001, 0x3f817fff, 0x3f818001,            // either side of a tie
            0x00000001, 0x00008000, 0x00018000, 0x00010000, 0x807fffff, // subnormals: ties, exact, the largest
            0x007fffff, 0x00800000, 0x007f8000,                         // up to the smallest normal
            0x7f7f7fff, 0x7f7f8000, 0x7f7fffff, 0xff7f8000,            // the largest finite: below a tie, tie and above to infinity
            0x7f800000, 0xff800000,                                     // infinities
            0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7f80ffff, 0x7fffffff, // NaNs: quiet, signalling, low payloads
        };
        assertRounded(bits, cast(bits, 3));
    }

    @Test
    void randomBits() {
        Random rnd = new Random(11);
        int[] bits = IntStream.range(0, 100_003).map(i -> rnd.nextInt()).toArray();
        assertRounded(bits, cast(bits, 0));
    }
}
