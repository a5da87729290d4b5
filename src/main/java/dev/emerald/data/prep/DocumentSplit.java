package dev.emerald.data.prep;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Which split a document (or a fine-tuning pair) goes to, decided by its name alone, so that every run, thread
 * count and archive layout agrees: a document is held out for validation when the first 8 bytes of SHA-256 of its UTF-8 name, read as
 * a big-endian unsigned number divided by 2^64, are below the validation fraction.
 */
public final class DocumentSplit {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Inputs::sha256);

    private DocumentSplit() {
    }

    public static boolean isValidation(String name, double valFraction) {
        long top = ByteBuffer.wrap(SHA256.get().digest(name.getBytes(StandardCharsets.UTF_8))).getLong();
        return (top >>> 11) * 0x1.0p-53 < valFraction; // the top 53 bits, exactly representable as a double
    }
}
