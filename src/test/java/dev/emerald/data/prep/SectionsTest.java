package dev.emerald.data.prep;

import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sections of random texts against the rule: whole text, in order, none too long, cut after a newline or between characters. */
class SectionsTest {
    private static final String[] PIECES = {"a", "word ", "\n", "\n\n", "é", "日本", "😀", "long-line-without-breaks-", "  "};

    private static List<byte[]> sections(byte[] doc, int max) throws IOException {
        List<byte[]> out = new ArrayList<>();
        List<Boolean> lasts = new ArrayList<>();
        Sections.read(new ByteArrayInputStream(doc), max, (bytes, length, index, last) -> {
            assertEquals(out.size(), index, "sections come in order");
            out.add(Arrays.copyOf(bytes, length));
            lasts.add(last);
        });
        assertEquals(out.size() - 1, lasts.indexOf(true), "only the final section is the last");
        assertEquals(1, lasts.stream().filter(b -> b).count());
        return out;
    }

    @Test
    void sectionsRebuildTheDocumentAndCutOnlyWhereAllowed() throws IOException {
        Rng rng = Rng.of(4);
        for (int trial = 0; trial < 500; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int n = rng.nextInt(400); n > 0; n--) {
                sb.append(PIECES[rng.nextInt(PIECES.length)]);
            }
            byte[] doc = sb.toString().getBytes(StandardCharsets.UTF_8);
            int max = 4 + rng.nextInt(60);
            List<byte[]> parts = sections(doc, max);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (int i = 0; i < parts.size(); i++) {
                byte[] p = parts.get(i);
                joined.writeBytes(p);
                assertTrue(p.length <= max, "at most max bytes");
                if (i < parts.size() - 1) {
                    byte[] window = Arrays.copyOfRange(doc, joined.size() - p.length, joined.size() - p.length + max);
                    boolean newlineInWindow = new String(window, StandardCharsets.ISO_8859_1).indexOf('\n') >= 0;
                    if (newlineInWindow) {
                        assertEquals('\n', p[p.length - 1], "cut after the window's last newline");
                        assertEquals(-1, new String(window, StandardCharsets.ISO_8859_1).indexOf('\n', p.length), "no later newline fit");
                    }
                    assertTrue((doc[joined.size()] & 0xC0) != 0x80, "the next section starts a character");
                }
            }
            assertArrayEquals(doc, joined.toByteArray(), "the sections are the document");
            assertEquals(doc.length <= max ? 1 : parts.size(), parts.size(), "a document that fits is one section");
        }
    }

    @Test
    void anEmptyDocumentIsOneEmptyLastSection() throws IOException {
        List<Boolean> lasts = new ArrayList<>();
        Sections.read(new ByteArrayInputStream(new byte[0]), 10, (bytes, length, index, last) -> {
            assertEquals(0, length);
            lasts.add(last);
        });
        assertEquals(List.of(true), lasts);
    }
}
