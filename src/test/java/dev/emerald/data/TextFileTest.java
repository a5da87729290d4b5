package dev.emerald.data;

import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextFileTest {
    @TempDir
    Path dir;

    private String failure(Path file) {
        String message = assertThrows(UserException.class, () -> TextFile.read(file)).getMessage();
        assertTrue(message.contains(file.toString()), "names the file: " + message);
        return message;
    }

    @Test
    void readsUtf8TextAndDropsAByteOrderMark() throws Exception {
        String text = "Tom said: \"Héllo\" 😀\r\n\tend\f";
        Path plain = Files.write(dir.resolve("a.txt"), text.getBytes(StandardCharsets.UTF_8));
        assertEquals(text, TextFile.read(plain));
        Path bom = Files.writeString(dir.resolve("bom.txt"), "\uFEFF" + text);
        assertEquals(text, TextFile.read(bom));
    }

    @Test
    void missingFile() {
        assertTrue(failure(dir.resolve("missing.txt")).contains("does not exist"));
    }

    @Test
    void directory() {
        assertTrue(failure(dir).contains("is a directory"));
    }

    @Test
    void aFileTooLargeForMemoryPointsToPrepare() throws Exception {
        Path big = dir.resolve("web.txt");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            raf.setLength(1L << 31); // sparse: no disk used
        }
        String message = failure(big);
        assertTrue(message.contains("larger than 2 GB") && message.contains("emerald prepare " + big) && message.contains("--data"), message);
    }

    @Test
    void unreadableFile() throws Exception {
        Path file = Files.writeString(dir.resolve("secret.txt"), "text");
        Files.setPosixFilePermissions(file, Set.of());
        // root reads any file, so only an ordinary user can see this failure
        assumeFalse(Files.isReadable(file), "running as root");
        assertTrue(failure(file).contains("cannot read"));
    }

    @Test
    void emptyFile() throws Exception {
        assertTrue(failure(Files.createFile(dir.resolve("empty.txt"))).contains("is empty"));
    }

    @Test
    void invalidUtf8TellsTheByteOffset() throws Exception {
        // "ab", then 0xC3 (a 2-byte lead) followed by '(' which is not a continuation byte
        Path file = Files.write(dir.resolve("latin.txt"), new byte[] {'a', 'b', (byte) 0xC3, '(', 'c'});
        String message = failure(file);
        assertTrue(message.contains("not valid UTF-8") && message.contains("byte offset 2"), message);
        Path truncated = Files.write(dir.resolve("cut.txt"), new byte[] {'a', (byte) 0xE2, (byte) 0x82});
        assertTrue(failure(truncated).contains("byte offset 1"));
    }

    @Test
    void binaryContent() throws Exception {
        Path nul = Files.write(dir.resolve("model.bin"), new byte[] {'a', 'b', 'c', 0, 'd'});
        String message = failure(nul);
        assertTrue(message.contains("binary") && message.contains("byte offset 3"), message);
        byte[] controls = "some text with control bytes".repeat(10).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < controls.length; i += 20) {
            controls[i] = 0x01;
        }
        assertTrue(failure(Files.write(dir.resolve("ctl.dat"), controls)).contains("control characters"));
    }
}
