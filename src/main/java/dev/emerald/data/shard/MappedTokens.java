package dev.emerald.data.shard;

import dev.emerald.data.Tokens;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A token shard read through a memory map (an FFM {@link MemorySegment}, so shards over 2 GB map whole): the
 * ids stay on disk and in the page cache, and a window costs only the pages it touches. Those pages are
 * dropped from the process again every {@value #WINDOWS_PER_UNLOAD} windows, so random windows over a shard of
 * any size keep the resident memory flat. Not thread-safe: one per consumer.
 */
public final class MappedTokens implements Tokens, AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A random window faults in about 64 KiB (the kernel maps pages around a fault), so this bounds the map's RSS near 64 MiB. */
    private static final int WINDOWS_PER_UNLOAD = 1024;

    private final Path file;
    private final ShardHeader header;
    private final Arena arena;
    private final MemorySegment mapped;
    private final MemorySegment ids;
    private int windows;

    private MappedTokens(Path file, ShardHeader header, Arena arena, MemorySegment mapped) {
        this.file = file;
        this.header = header;
        this.arena = arena;
        this.mapped = mapped;
        this.ids = mapped.asSlice(ShardHeader.BYTES);
    }

    public static MappedTokens open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                ShardHeader header = ShardHeader.decode(file, mapped.asSlice(0, Math.min(size, ShardHeader.BYTES)).asByteBuffer(), size);
                return new MappedTokens(file, header, arena, mapped);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new UserException("token shard " + file + " does not exist: give a directory written by 'emerald prepare'", e);
        } catch (IOException e) {
            throw new UserException("cannot map token shard " + file + " (" + e.getMessage() + "): check that it is a readable file", e);
        }
    }

    public ShardHeader header() {
        return header;
    }

    @Override
    public long length() {
        return header.count();
    }

    @Override
    public void copy(long start, int[] dst, int at, int n) {
        Objects.checkFromIndexSize(start, n, length());
        Objects.checkFromIndexSize(at, n, dst.length);
        int vocab = header.vocabSize();
        for (int i = 0; i < n; i++) {
            int id = header.tokenBytes() == 2 ? Short.toUnsignedInt(ids.getAtIndex(U16, start + i)) : ids.getAtIndex(U32, start + i);
            if (id < 0 || id >= vocab) {
                throw new UserException(file + " holds token id " + Integer.toUnsignedString(id) + " at position " + (start + i)
                        + ", outside its vocabulary of " + vocab + ": the file is damaged; run 'emerald prepare' again");
            }
            dst[at + i] = id;
        }
        if (++windows == WINDOWS_PER_UNLOAD) {
            windows = 0;
            mapped.unload();
        }
    }

    /** Unmaps the file; the ids must not be read afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
