package dev.emerald.data.prep;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a document as sections of at most {@code maxBytes}, so that no document, however large, is held in
 * memory whole. A section ends after the last newline within the limit, or, in a line longer than that, at
 * the last character boundary, so no UTF-8 sequence is split. A document that fits is one section.
 */
final class Sections {
    @FunctionalInterface
    interface Consumer {
        void accept(byte[] bytes, int length, int index, boolean last) throws IOException;
    }

    private Sections() {
    }

    static void read(InputStream in, int maxBytes, Consumer consumer) throws IOException {
        byte[] carry = new byte[0];
        for (int index = 0; ; index++) {
            // one byte past the limit tells whether the document goes on
            byte[] more = in.readNBytes(maxBytes + 1 - carry.length);
            byte[] buf = carry.length == 0 ? more : concat(carry, more);
            if (buf.length <= maxBytes) {
                consumer.accept(buf, buf.length, index, true);
                return;
            }
            int cut = cut(buf, maxBytes);
            consumer.accept(Arrays.copyOf(buf, cut), cut, index, false);
            carry = Arrays.copyOfRange(buf, cut, buf.length);
        }
    }

    /** Where a section of {@code buf} (longer than maxBytes) ends: after a newline, else before a character's first byte. */
    static int cut(byte[] buf, int maxBytes) {
        for (int i = maxBytes - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                return i + 1;
            }
        }
        for (int i = maxBytes; i > 0; i--) {
            if ((buf[i] & 0xC0) != 0x80) { // not a continuation byte: a character starts here
                return i;
            }
        }
        return maxBytes; // nothing but continuation bytes: invalid UTF-8, replaced wherever it is cut
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
