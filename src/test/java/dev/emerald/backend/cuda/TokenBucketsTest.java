package dev.emerald.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenBucketsTest {

    @Test
    void groupsPositionsByTokenInOrder() {
        int[] tokens = {5, 2, 5, 9, 2, 5, 99}; // the last is past n
        TokenBuckets b = TokenBuckets.of(tokens, 6, 10);
        assertEquals(3, b.distinct());
        assertArrayEquals(new int[] {
                2, 5, 9,       // tokens
                0, 2, 5, 6,    // starts
                1, 4, 0, 2, 5, 3 // positions of 2, of 5, of 9
        }, b.layout());
    }
}
