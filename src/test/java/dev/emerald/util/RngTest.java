package dev.emerald.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RngTest {
    @Test
    void matchesTheSplitMix64ReferenceOutputs() {
        // first outputs of Vigna's splitmix64.c seeded with 0
        Rng rng = Rng.of(0);
        assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
        assertEquals(0x06C45D188009454FL, rng.nextLong());
    }

    @Test
    void stateRoundTripContinuesTheSameStream() {
        Rng a = Rng.of(42);
        for (int i = 0; i < 17; i++) {
            a.nextGaussian();
            a.nextInt(7);
        }
        Rng b = Rng.of(a.state());
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextLong(), b.nextLong());
            assertEquals(a.nextInt(1000), b.nextInt(1000));
            assertEquals(a.nextFloat(), b.nextFloat());
            assertEquals(a.nextGaussian(), b.nextGaussian());
        }
    }

    @Test
    void nextIntStaysInRangeAndIsRoughlyUniform() {
        Rng rng = Rng.of(7);
        int bound = 10;
        int draws = 200_000;
        int[] counts = new int[bound];
        for (int i = 0; i < draws; i++) {
            int v = rng.nextInt(bound);
            assertTrue(v >= 0 && v < bound, "out of range: " + v);
            counts[v]++;
        }
        for (int c : counts) {
            assertEquals(draws / bound, c, draws / bound * 0.05);
        }
        assertEquals(0, Rng.of(1).nextInt(1));
        assertThrows(IllegalArgumentException.class, () -> rng.nextInt(0));
    }

    @Test
    void nextIntIsUnbiasedForALargeBound() {
        // with plain modulo of 32 random bits, values below 2^32 - 2*bound would come out 1.5x as often
        int bound = (int) (0x1_0000_0000L / 3 + 1);
        Rng rng = Rng.of(3);
        int low = 0;
        int draws = 300_000;
        for (int i = 0; i < draws; i++) {
            if (rng.nextInt(bound) < bound / 2) {
                low++;
            }
        }
        assertEquals(0.5, low / (double) draws, 0.01);
    }

    @Test
    void nextLongStaysInRangeAndIsUnbiasedForBoundsPast2To32() {
        // two thirds of 2^63: with a plain modulo of 63 random bits, the lower half would come out 2/3 of the time
        long bound = Long.MAX_VALUE / 3 * 2;
        Rng rng = Rng.of(5);
        int low = 0, draws = 200_000;
        for (int i = 0; i < draws; i++) {
            long v = rng.nextLong(bound);
            assertTrue(v >= 0 && v < bound, "in range: " + v);
            low += v < bound / 2 ? 1 : 0;
        }
        assertEquals(0.5, low / (double) draws, 0.01);
        // a bound past 2^31 that a shard of 3 billion tokens needs: every tenth of the range about equally often
        int[] tenths = new int[10];
        for (int i = 0; i < draws; i++) {
            tenths[(int) (rng.nextLong(3_000_000_000L) / 300_000_000L)]++;
        }
        for (int t : tenths) {
            assertEquals(0.1, t / (double) draws, 0.005);
        }
        assertThrows(IllegalArgumentException.class, () -> rng.nextLong(0));
    }

    @Test
    void floatsAreUniformInUnitIntervalAndGaussiansStandard() {
        Rng rng = Rng.of(11);
        int n = 200_000;
        double sum = 0, gSum = 0, gSq = 0;
        for (int i = 0; i < n; i++) {
            float f = rng.nextFloat();
            assertTrue(f >= 0f && f < 1f);
            sum += f;
            double g = rng.nextGaussian();
            assertTrue(Double.isFinite(g));
            gSum += g;
            gSq += g * g;
        }
        assertEquals(0.5, sum / n, 0.005);
        assertEquals(0.0, gSum / n, 0.01);
        assertEquals(1.0, gSq / n, 0.02);
    }
}
