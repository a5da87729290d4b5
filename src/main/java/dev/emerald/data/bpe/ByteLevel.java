package dev.emerald.data.bpe;

import java.util.Arrays;

/**
 * GPT-2's byte-to-character table ("bytes_to_unicode"): how vocabulary files write byte strings as text.
 * Printable bytes stand for themselves; the other 68 (controls, space, 0x7F-0xA0, soft hyphen) are shifted
 * to U+0100 and up, in byte order, so that no token is written with whitespace or invisible characters
 * (a space is 'Ġ', a newline 'Ċ').
 */
final class ByteLevel {
    private static final char[] CHAR_OF = new char[256];
    /** The byte a character stands for, or -1; indexed by character (all are below U+0144). */
    private static final int[] BYTE_OF = new int[0x144];

    static {
        Arrays.fill(BYTE_OF, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            CHAR_OF[b] = (char) (printable ? b : 256 + shifted++);
            BYTE_OF[CHAR_OF[b]] = b;
        }
    }

    private ByteLevel() {
    }

    static String toText(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_OF[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** The bytes a vocabulary string stands for, or null if it has a character outside the table. */
    static byte[] toBytes(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            int b = c < BYTE_OF.length ? BYTE_OF[c] : -1;
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
