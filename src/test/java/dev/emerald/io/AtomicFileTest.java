package dev.emerald.io;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesNewFilesAndNeverOverwrites() throws Exception {
        Path target = dir.resolve("sub/out.txt");
        AtomicFile.writeBytes(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertThrows(UserException.class, () -> AtomicFile.writeBytes(target, new byte[] {9}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    @Test
    void failedWriteLeavesNothingBehind() throws Exception {
        Path target = dir.resolve("out.bin");
        assertThrows(UserException.class, () -> AtomicFile.write(target, out -> {
            out.write(ByteBuffer.wrap(new byte[100]));
            throw new IOException("simulated");
        }));
        assertEquals(List.of(), names());
    }
}
