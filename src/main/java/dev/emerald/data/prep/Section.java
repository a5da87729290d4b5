package dev.emerald.data.prep;

import java.nio.charset.StandardCharsets;

/**
 * A run of a document's bytes: a whole document, or, for one longer than the section size, one of the pieces
 * {@link Sections} cuts it into. {@code last} marks the document's end, where the end-of-text token goes.
 */
record Section(String document, int index, byte[] bytes, int length, boolean last) {
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** The name the train/val split hashes: the document's, with "#k" for its k-th section after the first. */
    String splitKey() {
        return index == 0 ? document : document + "#" + index;
    }

    /** An empty document has no text and gets no end-of-text token: it is left out. */
    boolean emptyDocument() {
        return index == 0 && last && length == 0;
    }

    /** The text, invalid UTF-8 replaced by U+FFFD, without the byte-order mark a document may start with. */
    String text() {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        return index == 0 && !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
    }
}
