package dev.emerald.data.prep;

/**
 * The char tokenizer's end-of-text token is U+0003 (END OF TEXT, a control character prose does not use); one
 * inside a document becomes U+FFFD, so that the token only ever means the end of a document.
 */
final class CharText {
    static final int END_OF_TEXT = dev.emerald.data.CharTokenizer.END_OF_TEXT;
    private static final char REPLACEMENT = '\uFFFD';

    private CharText() {
    }

    static String clean(String text) {
        return text.indexOf(END_OF_TEXT) < 0 ? text : text.replace((char) END_OF_TEXT, REPLACEMENT);
    }
}
