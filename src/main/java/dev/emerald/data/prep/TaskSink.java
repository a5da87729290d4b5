package dev.emerald.data.prep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The sink inside a task of the pool: processes what the walker finds straight into the task's batch. A failure
 * is rethrown, so the whole member the task decompresses is skipped: data before a corruption is not trusted,
 * as an .xz block's check is only verified at its end.
 */
final class TaskSink implements Sink {
    private final Processor processor;
    private final Batch batch;

    TaskSink(Processor processor, Batch batch) {
        this.processor = processor;
        this.batch = batch;
    }

    @Override
    public InputStream open(Path file) {
        throw new UnsupportedOperationException("a task reads the bytes it was given, not files");
    }

    @Override
    public void file() {
        batch.files++;
    }

    @Override
    public void section(Section section) {
        processor.process(section, batch);
    }

    @Override
    public boolean take(String path, String name, long size, InputStream in) {
        return false;
    }

    @Override
    public void skipped(String path, String reason) {
        batch.skip(path, reason);
    }

    @Override
    public void failed(String path, IOException e) throws IOException {
        throw e;
    }
}
