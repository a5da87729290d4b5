package dev.emerald.io;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicDirTest {
    private static final String MARKER = "config.json";

    @TempDir
    Path parent;

    /** Every file under dir, relative path to content. */
    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> list = Files.list(parent)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    @Test
    void createsThenReplacesACheckpoint() throws Exception {
        Path target = parent.resolve("ckpt");
        AtomicDir.write(target, MARKER, d -> {
            Files.writeString(d.resolve(MARKER), "v1");
            Files.writeString(d.resolve("stale.bin"), "only in v1");
        });
        assertEquals("v1", Files.readString(target.resolve(MARKER)));
        AtomicDir.write(target, MARKER, d -> Files.writeString(d.resolve(MARKER), "v2"));
        assertEquals(List.of(MARKER), List.copyOf(snapshot(target).keySet()), "nothing of the old copy remains");
        assertEquals("v2", Files.readString(target.resolve(MARKER)));
        assertEquals(List.of("ckpt"), siblings(), "no temp or old directories left behind");
    }

    @Test
    void failureHalfwayLeavesThePreviousCheckpointIntact() throws Exception {
        Path target = parent.resolve("ckpt");
        AtomicDir.write(target, MARKER, d -> {
            Files.writeString(d.resolve(MARKER), "{\"step\": 100}");
            Files.createDirectories(d.resolve("sub"));
            Files.write(d.resolve("sub/model.safetensors"), new byte[] {1, 2, 3, 4});
        });
        Map<String, byte[]> before = snapshot(target);
        RuntimeException boom = new IllegalStateException("disk full (simulated)");
        RuntimeException thrown = assertThrows(IllegalStateException.class, () -> AtomicDir.write(target, MARKER, d -> {
            Files.writeString(d.resolve(MARKER), "{\"step\": 200}");
            Files.write(d.resolve("half.bin"), new byte[1000]);
            throw boom;
        }));
        assertEquals(boom, thrown);
        assertSameFiles(before, snapshot(target));
        assertEquals(List.of("ckpt"), siblings(), "the temp directory is removed");

        UserException io = assertThrows(UserException.class, () -> AtomicDir.write(target, MARKER, d -> {
            throw new IOException("no space left on device");
        }));
        assertTrue(io.getMessage().contains("no space left"), io.getMessage());
        assertSameFiles(before, snapshot(target));
        assertEquals(List.of("ckpt"), siblings());
    }

    @Test
    void anEmptyDirectoryIsFilled() throws Exception {
        Path target = Files.createDirectory(parent.resolve("ckpt"));
        AtomicDir.write(target, MARKER, d -> Files.writeString(d.resolve(MARKER), "v1"));
        assertEquals("v1", Files.readString(target.resolve(MARKER)));
        assertEquals(List.of("ckpt"), siblings());
    }

    @Test
    void refusesToReplaceSomethingThatIsNotACheckpoint() throws Exception {
        Path mine = Files.createDirectory(parent.resolve("photos"));
        Files.writeString(mine.resolve("cat.jpg"), "meow");
        Path file = Files.writeString(parent.resolve("notes.txt"), "keep");
        assertThrows(UserException.class, () -> AtomicDir.write(mine, MARKER, d -> Files.writeString(d.resolve(MARKER), "x")));
        assertThrows(UserException.class, () -> AtomicDir.write(file, MARKER, d -> Files.writeString(d.resolve(MARKER), "x")));
        assertEquals("meow", Files.readString(mine.resolve("cat.jpg")));
        assertFalse(Files.exists(mine.resolve(MARKER)));
        assertEquals("keep", Files.readString(file));
        assertEquals(List.of("notes.txt", "photos"), siblings());
    }
}
