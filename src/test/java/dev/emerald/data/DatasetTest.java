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

    private static int at(Tokens tokens, long i) {
        int[] one = new int[1];
        tokens.copy(i, one, 0, 1);
        return one[0];
    }

    @Test
    void splitsNinetyTenWithTheValidationAsTheTail() {
        int[] ids = ids(1000);
        Dataset d = new Dataset("x", ids, Dataset.DEFAULT_VAL_FRACTION, 8);
        assertEquals(900, d.train().length());
        assertEquals(100, d.val().length());
        assertEquals(0, at(d.train(), 0));
        assertEquals(899, at(d.train(), 899));
        assertEquals(900, at(d.val(), 0));
        assertEquals(999, at(d.val(), 99));
        assertSame(ids, ((TokenSpan) d.val()).ids(), "a view, not a copy");
        assertThrows(IndexOutOfBoundsException.class, () -> at(d.val(), 100));
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
