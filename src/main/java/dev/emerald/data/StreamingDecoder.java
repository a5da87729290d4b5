package dev.emerald.data;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes tokens one at a time for printing as they are generated. A byte-level token can end inside a
 * multi-byte character (an emoji is often two or three tokens), so the bytes of an incomplete character are
 * held back until the token that completes it; what comes out, followed by {@link #finish}, is exactly
 * {@code tokenizer.decode} of all the tokens, invalid UTF-8 becoming U+FFFD in both.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** Bytes not yet decoded (an incomplete character), in read mode. */
    private ByteBuffer pending = ByteBuffer.allocate(64).flip();

    public StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text that token {@code id} completes; may be empty. */
    public String next(int id) {
        byte[] bytes = tokenizer.bytes(id);
        if (pending.capacity() - pending.remaining() < bytes.length) {
            pending = ByteBuffer.allocate(pending.remaining() + bytes.length).put(pending).flip();
        }
        pending.compact().put(bytes).flip();
        return decode(false);
    }

    /** What is still held back, as U+FFFD: the tokens ended inside a character. */
    public String finish() {
        String rest = decode(true);
        utf8.reset();
        return rest;
    }

    private String decode(boolean end) {
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 1);
        utf8.decode(pending, out, end); // REPLACE mode: only underflow, with an incomplete character left in pending
        if (end) {
            utf8.flush(out);
        }
        return out.flip().toString();
    }
}
