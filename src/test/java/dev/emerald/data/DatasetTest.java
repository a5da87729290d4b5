package dev.emerald.data;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    private static int[] ids(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void splitsNinetyTenWithTheValidationAsTheTail() {
        int[] ids = ids(1000);
        Dataset d = new Dataset("x", ids, Dataset.DEFAULT_VAL_FRACTION, 8);
        assertEquals(900, d.train().length());
        assertEquals(100, d.val().length());
        assertEquals(0, d.train().get(0));
        assertEquals(899, d.train().get(899));
        assertEquals(900, d.val().get(0));
        assertEquals(999, d.val().get(99));
        assertSame(ids, d.val().ids(), "a view, not a copy");
        assertThrows(IndexOutOfBoundsException.class, () -> d.val().get(100));
    }

    @Test
    void fractionIsConfigurable() {
        Dataset d = new Dataset("x", ids(1000), 0.25, 8);
        assertEquals(750, d.train().length());
        assertEquals(250, d.val().length());
        assertThrows(UserException.class, () -> new Dataset("x", ids(1000), 0.0, 8));
        assertThrows(UserException.class, () -> new Dataset("x", ids(1000), 1.0, 8));
    }

    @Test
    void eachSplitNeedsBlockSizePlusOneTokens() {
        // 650 tokens leave val = 65 = block_size + 1, just enough; 640 leave 64
        new Dataset("tiny.txt", ids(650), 0.1, 64);
        UserException e = assertThrows(UserException.class, () -> new Dataset("tiny.txt", ids(640), 0.1, 64));
        assertTrue(e.getMessage().contains("corpus tiny.txt has only 640 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("block_size + 1 = 65") && e.getMessage().contains("--block-size"), e.getMessage());
        UserException train = assertThrows(UserException.class, () -> new Dataset("t", ids(100), 0.9, 10));
        assertTrue(train.getMessage().contains("training split"), train.getMessage());
    }
}
