package dev.emerald.io;

import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either nothing or the complete file: the content goes to a temp file in
 * the same directory (same file system, so the rename is atomic), is flushed to disk, then renamed into place.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Writes the content of a file into an open channel. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel out) throws IOException;
    }

    /** Creates {@code target} from {@code body}; refuses to replace an existing file so no data is lost silently. */
    public static void write(Path target, Body body) {
        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute)) {
            throw new UserException(target + " already exists: delete it first or choose another path");
        }
        Path tmp = null;
        try {
            Files.createDirectories(absolute.getParent());
            // not Files.createTempFile: its owner-only permissions would stick to the user's file
            Path candidate = hiddenSibling(absolute, "tmp");
            FileChannel out = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            tmp = candidate;
            try (out) {
                body.write(out);
                out.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UserException("could not write " + target + ": " + e + "; check free disk space and permissions", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error matters more; a stray hidden temp file is harmless
                }
            }
        }
    }

    /** Creates {@code target} holding exactly {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        });
    }

    /** A fresh name {@code .NAME.KIND-XXXX} next to target: same file system, so renames to target are atomic. */
    static Path hiddenSibling(Path target, String kind) {
        return target.resolveSibling("." + target.getFileName() + "." + kind + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }
}
