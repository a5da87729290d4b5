package dev.emerald.api;

import dev.emerald.io.FileTrees;

import java.io.IOException;
import java.nio.file.Path;

/** Temporary directories the API makes for a moment (a model copied off the classpath, a run's checkpoints). */
final class TempDirs {
    private TempDirs() {
    }

    /** Deletes dir (null: nothing); a copy left behind costs disk space, not correctness, so failures are ignored. */
    static void delete(Path dir) {
        if (dir != null) {
            try {
                FileTrees.deleteTree(dir);
            } catch (IOException e) {
                // see above
            }
        }
    }
}
