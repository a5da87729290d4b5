package dev.emerald.data.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends token ids to a new shard file. The header's count is written last, by {@link #finish}; until then it
 * is {@link ShardHeader#UNFINISHED}, so a shard that was not finished reads as damaged.
 */
public final class ShardWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final int tokenBytes;
    private final int vocabSize;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long count;

    /** Writes to {@code channel} from its current position, which must be the start of the file. */
    ShardWriter(FileChannel channel, int vocabSize) throws IOException {
        this.channel = channel;
        this.vocabSize = vocabSize;
        this.tokenBytes = ShardHeader.tokenBytesFor(vocabSize);
        writeFully(new ShardHeader(tokenBytes, ShardHeader.UNFINISHED, vocabSize).encode());
    }

    /** Creates {@code file}, which must not exist, for ids below {@code vocabSize}. */
    public static ShardWriter create(Path file, int vocabSize) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return new ShardWriter(channel, vocabSize);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Appends {@code ids[from, from + n)}, each of which must be a valid id of the vocabulary. */
    public void write(int[] ids, int from, int n) throws IOException {
        for (int i = from; i < from + n; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary of " + vocabSize);
            }
            if (buffer.remaining() < tokenBytes) {
                flush();
            }
            if (tokenBytes == 2) {
                buffer.putShort((short) ids[i]);
            } else {
                buffer.putInt(ids[i]);
            }
        }
        count += n;
    }

    public long count() {
        return count;
    }

    /** Writes what is buffered and the final header, and forces both to disk. */
    public ShardHeader finish() throws IOException {
        flush();
        ShardHeader header = new ShardHeader(tokenBytes, count, vocabSize);
        ByteBuffer head = header.encode();
        while (head.hasRemaining()) {
            channel.write(head, head.position());
        }
        channel.force(true);
        return header;
    }

    private void flush() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
