package dev.emerald.data.prep;

import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The inputs named on the command line, checked before any work is done, sized for progress, and fingerprinted:
 * a SHA-256 of the settings and of every input file's path, size and modification time, which a re-run compares
 * to tell that the work is already done.
 */
record Inputs(List<Path> paths, List<PrepareMeta.Input> sizes, long bytes, String fingerprint) {

    static Inputs list(List<Path> paths, String settings) {
        MessageDigest sha = sha256();
        update(sha, settings);
        List<PrepareMeta.Input> sizes = new ArrayList<>();
        long total = 0;
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new UserException("input " + path + " does not exist: check the path");
            }
            if (!Files.isReadable(path)) {
                throw new UserException("input " + path + " cannot be read: check its permissions");
            }
            update(sha, "input " + path.toAbsolutePath().normalize());
            long bytes = 0;
            try {
                for (Path file : Files.isDirectory(path) ? Walker.filesUnder(path) : List.of(path)) {
                    long size = Files.size(file);
                    update(sha, path.relativize(file) + " " + size + " " + Files.getLastModifiedTime(file).toMillis());
                    bytes += size;
                }
            } catch (IOException e) {
                throw new UserException("cannot list input " + path + " (" + e.getMessage() + "): check that it is readable", e);
            }
            sizes.add(new PrepareMeta.Input(path.toString(), bytes));
            total += bytes;
        }
        return new Inputs(List.copyOf(paths), sizes, total, HexFormat.of().formatHex(sha.digest()));
    }

    private static void update(MessageDigest sha, String line) {
        sha.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
