package dev.emerald.data;

import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchSamplerTest {
    private static final int B = 4, T = 8;

    /** ids[i] = 1000 + i, so a token's value tells its position. */
    private static TokenSpan span(int from, int to) {
        return new TokenSpan(IntStream.range(0, 200).map(i -> 1000 + i).toArray(), from, to);
    }

    @Test
    void targetsAreInputsShiftedByOneWithinTheSpan() {
        TokenSpan data = span(50, 120);
        BatchSampler s = new BatchSampler(data, B, T, Rng.of(1));
        int[] x = new int[B * T], y = new int[B * T];
        for (int step = 0; step < 200; step++) {
            s.next(x, y);
            for (int b = 0; b < B; b++) {
                int start = x[b * T] - 1000;
                for (int t = 0; t < T; t++) {
                    assertEquals(1000 + start + t, x[b * T + t], "a row is a contiguous run of the text");
                    assertEquals(x[b * T + t] + 1, y[b * T + t], "the target is the next token");
                }
                assertTrue(start >= 50 && start + T + 1 <= 120, "row stays inside the span: " + start);
            }
        }
    }

    @Test
    void everyStartPositionOccurs() {
        // 3 + T tokens: starts 0, 1, 2 are the only ones that fit an input and its target
        TokenSpan data = span(10, 10 + T + 3);
        BatchSampler s = new BatchSampler(data, 1, T, Rng.of(5));
        int[] x = new int[T], y = new int[T];
        boolean[] seen = new boolean[3];
        for (int i = 0; i < 300; i++) {
            s.next(x, y);
            seen[x[0] - 1010] = true;
        }
        assertArrayEquals(new boolean[] {true, true, true}, seen);
    }

    @Test
    void sameSeedSameBatchesAndResumeContinues() {
        TokenSpan data = span(0, 200);
        BatchSampler a = new BatchSampler(data, B, T, Rng.of(99));
        BatchSampler b = new BatchSampler(data, B, T, Rng.of(99));
        int[] xa = new int[B * T], ya = new int[B * T], xb = new int[B * T], yb = new int[B * T];
        for (int i = 0; i < 5; i++) {
            a.next(xa, ya);
            b.next(xb, yb);
            assertArrayEquals(xa, xb);
            assertArrayEquals(ya, yb);
        }
        BatchSampler resumed = new BatchSampler(data, B, T, Rng.of(a.rng().state()));
        for (int i = 0; i < 5; i++) {
            a.next(xa, ya);
            resumed.next(xb, yb);
            assertArrayEquals(xa, xb);
            assertArrayEquals(ya, yb);
        }
    }
}
