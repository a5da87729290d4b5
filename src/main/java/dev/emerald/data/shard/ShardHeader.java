package dev.emerald.data.shard;

import dev.emerald.util.UserException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The 32-byte header of a token shard ({@code train.bin}, {@code val.bin}), all little-endian: the magic
 * {@code EMTOKENS}, the format version (1), the bytes per token id (2: uint16, 4: uint32), the number of ids,
 * the vocabulary size they index, and four zero bytes. The ids follow, little-endian, from byte 32.
 */
public record ShardHeader(int tokenBytes, long count, int vocabSize) {
    public static final int BYTES = 32;
    public static final int VERSION = 1;
    /** The count of a shard still being written. */
    public static final long UNFINISHED = -1;
    private static final byte[] MAGIC = "EMTOKENS".getBytes(StandardCharsets.US_ASCII);

    public ShardHeader {
        if (tokenBytes != 2 && tokenBytes != 4) {
            throw new IllegalArgumentException("token ids are 2 or 4 bytes, not " + tokenBytes);
        }
    }

    /** The narrowest width for a vocabulary: uint16 up to 65,536 tokens. */
    public static int tokenBytesFor(int vocabSize) {
        return vocabSize <= 1 << 16 ? 2 : 4;
    }

    /** The file's size: header and ids. */
    public long fileBytes() {
        return BYTES + count * tokenBytes;
    }

    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(tokenBytes).putLong(count).putInt(vocabSize).putInt(0);
        return b.flip();
    }

    /** Reads and checks a header; {@code fileBytes} is the file's size, which must match the count. */
    public static ShardHeader decode(Path file, ByteBuffer bytes, long fileBytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        if (fileBytes >= BYTES && b.remaining() >= BYTES) {
            b.get(magic);
        }
        if (!Arrays.equals(magic, MAGIC)) {
            throw damaged(file, "it does not start with an Emerald token shard header");
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw new UserException(file + " is a version " + version + " token shard; this Emerald reads version " + VERSION
                    + ": prepare the data again with this version");
        }
        int width = b.getInt();
        long count = b.getLong();
        int vocab = b.getInt();
        if (count == UNFINISHED) {
            throw damaged(file, "it was not finished (the prepare writing it stopped)");
        }
        if ((width != 2 && width != 4) || count < 0 || vocab <= 0) {
            throw damaged(file, "its header is invalid (token bytes " + width + ", count " + count + ", vocabulary " + vocab + ")");
        }
        ShardHeader header = new ShardHeader(width, count, vocab);
        if (header.fileBytes() != fileBytes) {
            throw damaged(file, "its header promises " + count + " tokens (" + header.fileBytes() + " bytes) but the file has "
                    + fileBytes + " bytes; it is truncated or was not written completely");
        }
        return header;
    }

    private static UserException damaged(Path file, String why) {
        return new UserException(file + " is not a valid token shard: " + why + "; run 'emerald prepare' again");
    }
}
