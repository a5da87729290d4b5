package dev.emerald.data.shard;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardTest {
    @TempDir
    Path tmp;

    private static int[] random(int n, int vocab, long seed) {
        return new SplittableRandom(seed).ints(n, 0, vocab).toArray();
    }

    private static int[] read(MappedTokens t, long start, int n) {
        int[] out = new int[n];
        t.copy(start, out, 0, n);
        return out;
    }

    @Test
    void writtenIdsReadBackThroughTheMapInBothWidths() throws IOException {
        for (int vocab : new int[] {50257, 65536, 65537, 200_000}) {
            int[] ids = random(300_001, vocab, vocab); // more than the writer's buffer
            Path file = tmp.resolve("v" + vocab + ".bin");
            try (ShardWriter w = ShardWriter.create(file, vocab)) {
                w.write(ids, 0, 1000);
                w.write(ids, 1000, ids.length - 1000);
                assertEquals(new ShardHeader(vocab <= 65536 ? 2 : 4, ids.length, vocab), w.finish());
            }
            assertEquals(32 + (long) ids.length * (vocab <= 65536 ? 2 : 4), Files.size(file));
            try (MappedTokens t = MappedTokens.open(file)) {
                assertEquals(ids.length, t.length());
                assertArrayEquals(ids, read(t, 0, ids.length), "vocabulary " + vocab);
                assertEquals(ids[123_457], read(t, 123_457, 1)[0]);
            }
        }
    }

    @Test
    void aShardOverTwoGigabytesMapsWhole() throws IOException {
        // a sparse file: 1.2 billion uint16 ids (2.4 GB) take no disk; ids are written only near the end
        long count = 1_200_000_000L;
        Path file = tmp.resolve("big.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(32 + 2 * count);
        }
        int[] tail = random(5000, 1000, 5);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(new ShardHeader(2, count, 1000).encode(), 0);
            ByteBuffer ids = ByteBuffer.allocate(2 * tail.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int id : tail) {
                ids.putShort((short) id);
            }
            ch.write(ids.flip(), 32 + 2 * (count - tail.length));
        }
        try (MappedTokens t = MappedTokens.open(file)) {
            assertEquals(count, t.length());
            assertArrayEquals(tail, read(t, count - tail.length, tail.length));
            assertEquals(0, read(t, 1_100_000_000L, 1)[0], "a hole reads as id 0");
        }
    }

    @Test
    void anUnfinishedOrDamagedShardIsRefused() throws IOException {
        Path unfinished = tmp.resolve("unfinished.bin");
        try (ShardWriter w = ShardWriter.create(unfinished, 100)) {
            w.write(new int[5000], 0, 5000);
        } // closed without finish(): buffered ids lost, header count still 0
        UserException e = assertThrows(UserException.class, () -> MappedTokens.open(unfinished));
        assertTrue(e.getMessage().contains("not finished"), e.getMessage());

        Path text = Files.writeString(tmp.resolve("text.bin"), "hello, this is not a shard at all");
        assertThrows(UserException.class, () -> MappedTokens.open(text));

        Path badId = tmp.resolve("bad-id.bin");
        try (ShardWriter w = ShardWriter.create(badId, 300)) {
            w.write(new int[] {1, 2, 299, 7}, 0, 4);
            w.finish();
        }
        try (FileChannel ch = FileChannel.open(badId, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(200).flip(), 24); // the vocabulary shrinks to 200
        }
        try (MappedTokens t = MappedTokens.open(badId)) {
            assertArrayEquals(new int[] {1, 2}, read(t, 0, 2));
            UserException outside = assertThrows(UserException.class, () -> read(t, 1, 3));
            assertTrue(outside.getMessage().contains("token id 299 at position 2"), outside.getMessage());
        }
        assertThrows(UserException.class, () -> MappedTokens.open(tmp.resolve("missing.bin")));
    }

    @Test
    void aFullDiskFailsTheWrite() throws IOException {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "needs Linux's /dev/full");
        try (FileChannel channel = FileChannel.open(full, StandardOpenOption.WRITE)) {
            IOException e = assertThrows(IOException.class, () -> {
                ShardWriter w = new ShardWriter(channel, 100);
                w.write(new int[1 << 20], 0, 1 << 20);
                w.finish();
            });
            assertTrue(e.getMessage().contains("No space left"), e.getMessage());
        }
    }
}
