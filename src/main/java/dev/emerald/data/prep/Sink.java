package dev.emerald.data.prep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Where a {@link Walker} sends what it finds: on the reading thread, work for the pool; inside a task, the task's batch. */
interface Sink {
    /** Opens a file on disk for reading. */
    InputStream open(Path file) throws IOException;

    /** A file or archive member was read. */
    void file();

    void section(Section section) throws IOException;

    /**
     * Offered each file or member of {@code size} bytes before the walker reads it: true when the sink took its
     * bytes from {@code in} to process elsewhere (the reading thread hands compressed members to the pool).
     */
    boolean take(String path, String name, long size, InputStream in) throws IOException;

    /** Something that is not text was passed over. */
    void skipped(String path, String reason);

    /** Reading {@code path} failed: record it and go on, or rethrow to give up the whole task. */
    void failed(String path, IOException e) throws IOException;
}
