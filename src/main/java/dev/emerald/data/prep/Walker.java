package dev.emerald.data.prep;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Walks inputs in a fixed order — files as given, a directory's files by sorted path, archive members as
 * stored — and hands their documents to a {@link Sink}. By name: {@code .tar} is an archive, {@code .tar.xz}
 * and {@code .txz} compressed archives, {@code .xz} a compressed archive or text (OpenWebText's
 * {@code urlsf_subsetNN-M_data.xz} are tars inside), {@code .txt} a document. A file named on the command line
 * is read as text whatever its name, unless it looks binary.
 */
final class Walker {
    /** Decompressing needs the dictionary in memory; xz -9 uses 64 MiB, so this only stops hostile headers. */
    private static final int XZ_MEMORY_LIMIT_KIB = 1 << 20;
    /** Bytes looked at to tell a tar from text, and text from binary data. */
    private static final int PEEK_BYTES = 4096;

    private final Sink sink;
    private final int sectionBytes;

    Walker(Sink sink, int sectionBytes) {
        this.sink = sink;
        this.sectionBytes = sectionBytes;
    }

    /** A file or directory named on the command line; a failure is the sink's to record. */
    void input(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            file(path, path.getFileName().toString(), true);
            return;
        }
        List<Path> files;
        try {
            files = filesUnder(path);
        } catch (IOException e) {
            sink.failed(path.toString(), e);
            return;
        }
        for (Path f : files) {
            file(f, path.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"), false);
        }
    }

    /** Every regular file under dir, sorted by path. */
    static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void file(Path file, String name, boolean named) throws IOException {
        try (InputStream in = sink.open(file)) {
            if (!sink.take(file.toString(), name, Files.size(file), in)) {
                stream(in, name, file.toString(), named);
            }
        } catch (IOException e) {
            sink.failed(file.toString(), e);
        }
    }

    /** Reads a file or member by its name; {@code path} names it for messages, through the archives around it. */
    void stream(InputStream in, String name, String path, boolean named) throws IOException {
        String lower = name.toLowerCase(Locale.ROOT);
        sink.file();
        if (lower.endsWith(".tar")) {
            tar(in, path);
        } else if (lower.endsWith(".tar.xz") || lower.endsWith(".txz")) {
            try (InputStream xz = xz(in)) {
                if (tar(xz, path)) {
                    verifyToEnd(xz);
                }
            }
        } else if (lower.endsWith(".xz")) {
            try (InputStream xz = xz(in)) {
                if (tarOrText(new BufferedInputStream(xz, PEEK_BYTES), name.substring(0, name.length() - 3), path)) {
                    verifyToEnd(xz);
                }
            }
        } else if (lower.endsWith(".txt")) {
            document(in, name);
        } else if (named) {
            textUnlessBinary(new BufferedInputStream(in, PEEK_BYTES), name, path);
        } else {
            sink.skipped(path, "not a .txt, .xz or .tar file");
        }
    }

    /**
     * Decompresses {@code in}; closing the result returns its buffers to XZ's cache for the next member but leaves
     * {@code in} open, as it may be an archive that goes on.
     */
    private static InputStream xz(InputStream in) throws IOException {
        InputStream shielded = new FilterInputStream(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16)) {
            @Override
            public void close() {
                // the archive around it goes on
            }
        };
        return new XZInputStream(shielded, XZ_MEMORY_LIMIT_KIB, true, BasicArrayCache.getInstance());
    }

    /**
     * Reads what a tar leaves after its end (padding) to the end of the .xz stream: a block's integrity check is
     * verified only there, so only then is everything read from it known to be intact.
     */
    private static void verifyToEnd(InputStream xz) throws IOException {
        xz.transferTo(OutputStream.nullOutputStream());
    }

    /** Reads an archive's members; false if it broke off (the failure is recorded), so the rest of it is lost. */
    private boolean tar(InputStream in, String path) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        String previous = null;
        for (;;) {
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (IOException e) {
                sink.failed(previous == null ? path : path + " (after " + previous + ")", e);
                return false;
            }
            if (entry == null) {
                return true;
            }
            if (entry.isFile()) {
                String member = path + "/" + entry.getName();
                try {
                    if (!sink.take(member, entry.getName(), entry.getSize(), tar)) {
                        stream(tar, entry.getName(), member, false);
                    }
                } catch (IOException e) {
                    sink.failed(member, e);
                }
                previous = entry.getName();
            }
        }
    }

    /** False if it was a tar that broke off. */
    private boolean tarOrText(BufferedInputStream in, String name, String path) throws IOException {
        byte[] head = peek(in);
        if (TarArchiveInputStream.matches(head, head.length)) {
            return tar(in, path);
        }
        textUnlessBinary(in, name, path);
        return true;
    }

    private void textUnlessBinary(BufferedInputStream in, String name, String path) throws IOException {
        for (byte b : peek(in)) {
            if (b == 0) {
                sink.skipped(path, "looks like binary data (NUL bytes), not text: give .txt files, or .xz and .tar archives of them");
                return;
            }
        }
        document(in, name);
    }

    private static byte[] peek(BufferedInputStream in) throws IOException {
        in.mark(PEEK_BYTES);
        byte[] head = in.readNBytes(PEEK_BYTES);
        in.reset();
        return head;
    }

    /** A document's sections; if reading fails midway, what was read is ended as a document before the failure is passed on. */
    private void document(InputStream in, String name) throws IOException {
        int[] sections = {0};
        try {
            Sections.read(in, sectionBytes, (bytes, length, index, last) -> {
                sink.section(new Section(name, index, bytes, length, last));
                sections[0] = index + 1;
            });
        } catch (IOException e) {
            if (sections[0] > 0) {
                sink.section(new Section(name, sections[0], new byte[0], 0, true));
            }
            throw e;
        }
    }
}
