package dev.emerald.backend.cuda;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Choosing the attention by name, as -Demerald.attention and EMERALD_ATTENTION give it. */
class AttentionTest {

    @Test
    void parsesEitherNameInAnyCase() {
        assertEquals(Attention.FUSED, Attention.parse("fused", "test"));
        assertEquals(Attention.UNFUSED, Attention.parse("UnFused", "test"));
    }

    @Test
    void anUnknownNameSaysWhereItCameFromAndWhatToUse() {
        UserException e = assertThrows(UserException.class, () -> Attention.parse("flash", "EMERALD_ATTENTION"));
        assertEquals("EMERALD_ATTENTION=flash is not an attention: use fused or unfused", e.getMessage());
    }

    @Test
    void thePropertyChooses() {
        String before = System.getProperty(Attention.PROPERTY);
        try {
            System.setProperty(Attention.PROPERTY, "unfused");
            assertEquals(Attention.UNFUSED, Attention.configured());
            System.setProperty(Attention.PROPERTY, "sideways");
            assertTrue(assertThrows(UserException.class, Attention::configured).getMessage()
                    .startsWith("-Demerald.attention=sideways"));
        } finally {
            if (before == null) {
                System.clearProperty(Attention.PROPERTY);
            } else {
                System.setProperty(Attention.PROPERTY, before);
            }
        }
    }
}
