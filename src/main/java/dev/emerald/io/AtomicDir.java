package dev.emerald.io;

import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a directory of files (a checkpoint) so that a crash or an error at any point leaves either the
 * previous directory or the new one, never a half-written mix. Everything is written into a sibling
 * {@code .NAME.tmp-XXXX}; a previous directory is moved aside to {@code .NAME.old-XXXX}; the temp is renamed
 * into place; only then is the old one deleted.
 */
public final class AtomicDir {
    private AtomicDir() {
    }

    /** Fills a fresh, empty directory. */
    @FunctionalInterface
    public interface Body {
        void write(Path dir) throws IOException;
    }

    /**
     * Creates or replaces the directory {@code target} with what {@code body} writes. An existing target is
     * replaced only if it is empty or a directory holding {@code marker} (a file every checkpoint has), so a
     * user's unrelated directory is never deleted.
     */
    public static void write(Path target, String marker, Body body) {
        Path dir = target.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        if (Files.exists(dir) && !(Files.isDirectory(dir) && (Files.isRegularFile(dir.resolve(marker)) || FileTrees.isEmptyDirectory(dir)))) {
            throw new UserException(target + " exists and is not an Emerald checkpoint (no " + marker
                    + " inside): refusing to overwrite it; choose another output directory or move it away");
        }
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            // not Files.createTempDirectory: its owner-only permissions would stick to the checkpoint
            Path candidate = AtomicFile.hiddenSibling(dir, "tmp");
            Files.createDirectory(candidate);
            tmp = candidate;
            body.write(tmp);
            Path old = null;
            if (Files.exists(dir)) {
                old = AtomicFile.hiddenSibling(dir, "old");
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } catch (IOException e) {
                if (old != null) {
                    Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
                }
                throw e;
            }
            if (old != null) {
                deleteOrWarn(old, "the previous copy");
            }
        } catch (IOException e) {
            throw new UserException("could not write " + target + ": " + e + "; check free disk space and permissions", e);
        } finally {
            if (tmp != null) {
                deleteOrWarn(tmp, "the temporary directory");
            }
        }
    }

    /**
     * Fails at once, rather than after hours of work, if {@code target}'s parent cannot be created or written;
     * {@code what} names the output for the message, e.g. "checkpoints".
     */
    public static void checkWritable(Path target, String what) {
        Path parent = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Files.delete(Files.createTempFile(parent, ".emerald-probe", ""));
        } catch (FileAlreadyExistsException e) {
            throw new UserException("cannot write " + what + " under " + parent + ": " + e.getFile() + " is a file, not a directory; choose another --out");
        } catch (IOException e) {
            throw new UserException("cannot write " + what + " under " + parent + " (" + e.getMessage() + "): choose a writable --out");
        }
    }

    /** Cleanup after the outcome is settled: a failure here only leaves wasted space, so it is reported, not thrown. */
    private static void deleteOrWarn(Path path, String what) {
        try {
            FileTrees.deleteTree(path);
        } catch (IOException e) {
            System.err.println("warning: could not delete " + what + " " + path + " (" + e + "); you may delete it yourself");
        }
    }
}
