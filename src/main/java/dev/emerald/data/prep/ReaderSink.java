package dev.emerald.data.prep;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink on the reading thread. Small compressed files and members ({@code .xz} up to {@value #MAX_TAKEN_BYTES}
 * bytes, such as OpenWebText's {@code urlsf_subsetNN-M_data.xz}) go to the pool whole, to be decompressed and
 * tokenized there, independently of each other. Everything else is decompressed here and its text gathered into
 * batches of about {@value #BATCH_BYTES} bytes for the pool to tokenize; so is a {@code .txt.xz}, a single text
 * whose tokenizing would otherwise not be shared out. Tasks are submitted in input order, which is the order the
 * writer consumes them in.
 */
final class ReaderSink implements Sink {
    static final long MAX_TAKEN_BYTES = 4 << 20;
    private static final long BATCH_BYTES = 1 << 20;

    /** Submits a task to the pool and queues its future for the writer, in order. */
    @FunctionalInterface
    interface Submitter {
        void submit(Callable<Batch> task);
    }

    private final Submitter submitter;
    private final Processor processor;
    private final int sectionBytes;
    private final AtomicLong inputRead;
    private List<Section> sections = new ArrayList<>();
    private long pendingBytes;
    private Batch pending = new Batch();

    /** @param inputRead counts the bytes read from input files, for progress */
    ReaderSink(Submitter submitter, Processor processor, int sectionBytes, AtomicLong inputRead) {
        this.submitter = submitter;
        this.processor = processor;
        this.sectionBytes = sectionBytes;
        this.inputRead = inputRead;
    }

    /** Buffered (a tar is read in 512-byte headers), and counted for progress. */
    @Override
    public InputStream open(Path file) throws IOException {
        return new BufferedInputStream(counted(Files.newInputStream(file)), 1 << 16);
    }

    private InputStream counted(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                inputRead.addAndGet(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                inputRead.addAndGet(Math.max(n, 0));
                return n;
            }
        };
    }

    @Override
    public void file() {
        pending.files++;
    }

    @Override
    public void section(Section section) {
        sections.add(section);
        pendingBytes += section.length();
        if (pendingBytes >= BATCH_BYTES) {
            flush();
        }
    }

    @Override
    public boolean take(String path, String name, long size, InputStream in) throws IOException {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".xz") || lower.endsWith(".tar.xz") || lower.endsWith(".txt.xz") || size > MAX_TAKEN_BYTES) {
            return false;
        }
        byte[] bytes = in.readNBytes((int) size);
        if (bytes.length < size) {
            throw new EOFException("only " + bytes.length + " of its " + size + " bytes are there");
        }
        flush();
        submitter.submit(() -> member(path, name, bytes));
        return true;
    }

    /** Decompresses and processes a member on the pool; if any of it is corrupt, none of it is kept. */
    private Batch member(String path, String name, byte[] bytes) {
        Batch batch = new Batch();
        try {
            new Walker(new TaskSink(processor, batch), sectionBytes).stream(new ByteArrayInputStream(bytes), name, path, false);
            return batch;
        } catch (IOException e) {
            Batch skipped = new Batch();
            skipped.files = 1;
            skipped.skip(path, Corruption.describe(e));
            return skipped;
        }
    }

    @Override
    public void skipped(String path, String reason) {
        pending.skip(path, reason);
    }

    @Override
    public void failed(String path, IOException e) {
        pending.skip(path, Corruption.describe(e));
    }

    /** Submits what is gathered; call at the end of the inputs. */
    void flush() {
        if (sections.isEmpty() && pending.files == 0 && pending.skipped.isEmpty()) {
            return;
        }
        List<Section> todo = sections;
        Batch batch = pending;
        submitter.submit(() -> {
            for (Section s : todo) {
                processor.process(s, batch);
            }
            return batch;
        });
        sections = new ArrayList<>();
        pendingBytes = 0;
        pending = new Batch();
    }
}
