package dev.emerald.api;

import dev.emerald.backend.DeviceChoice;
import dev.emerald.data.Tokenizer;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@link EmeraldModel#loadResource}: a checkpoint's files copied from the classpath into a temporary directory, loaded, deleted. */
final class ResourceCheckpoint {
    /** What a model directory may hold; config.json and the weights are required, the tokenizer in one of its forms. */
    private static final List<String> FILES = List.of(Checkpoint.CONFIG, Checkpoint.MODEL, Tokenizer.FILE_NAME, "vocab.json", "merges.txt");

    private ResourceCheckpoint() {
    }

    static EmeraldModel load(String resourceDir, DeviceChoice device) {
        String base = resourceDir.replaceAll("^/+|/+$", "");
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : ResourceCheckpoint.class.getClassLoader();
        if (loader.getResource(base + "/" + Checkpoint.CONFIG) == null) {
            throw new UserException("no model on the classpath at " + base + " (no " + base + "/" + Checkpoint.CONFIG
                    + "): package a checkpoint directory's files there, or load it from a directory");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("emerald-model-");
            Path dir = Files.createDirectory(tmp.resolve(base.substring(base.lastIndexOf('/') + 1)));
            for (String file : FILES) {
                try (InputStream in = loader.getResourceAsStream(base + "/" + file)) {
                    if (in != null) {
                        Files.copy(in, dir.resolve(file));
                    }
                }
            }
            return EmeraldModel.load(dir, device);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model " + base + " out of the classpath", e);
        } finally {
            TempDirs.delete(tmp);
        }
    }
}
