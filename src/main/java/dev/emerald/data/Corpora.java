package dev.emerald.data;

import dev.emerald.io.AtomicFile;
import dev.emerald.io.FileTrees;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Named public-domain corpora, fetched from Debian's package archive (the one archive these machines reach)
 * with apt-get download and unpacked with dpkg-deb into a temp directory: nothing is installed system-wide.
 * Each corpus is cached as {@code DIR/NAME.txt}.
 */
public final class Corpora {
    public static final Path DEFAULT_DIR = Path.of("data", "corpora");

    /** A known corpus; its text must come out between minBytes and maxBytes, a check that the fetch worked. */
    public record Corpus(String name, String description, long minBytes, long maxBytes) {
    }

    public static final Corpus TOM_SAWYER = new Corpus("tom-sawyer",
            "Mark Twain, The Adventures of Tom Sawyer (~390 KB; the small default)", 380_000, 400_000);
    public static final Corpus BIBLE = new Corpus("bible",
            "the King James Bible, one verse per line (~4.2 MB)", 4_000_000, 4_500_000);
    public static final List<Corpus> KNOWN = List.of(TOM_SAWYER, BIBLE);

    private static final String LZ4_PACKAGE = "golang-github-pierrec-lz4-dev";
    private static final String TOM_SAWYER_MEMBER = "Mark.Twain-Tom.Sawyer.txt";
    /** "Ge1:1 In the beginning...": book abbreviation, chapter, verse, text. */
    private static final Pattern VERSE = Pattern.compile("^([1-3]?[A-Za-z]+)(\\d+):(\\d+) (.*)$");

    private Corpora() {
    }

    /** An existing file path as is; a known corpus name fetched if needed; anything else is an error. */
    public static Path resolve(String nameOrPath, Path dir) {
        Path asPath = Path.of(nameOrPath);
        if (Files.isRegularFile(asPath)) {
            return asPath;
        }
        for (Corpus c : KNOWN) {
            if (c.name().equals(nameOrPath)) {
                return fetch(c.name(), dir);
            }
        }
        throw new UserException("'" + nameOrPath + "' is neither an existing file nor a known corpus: give the path of a"
                + " UTF-8 text file or one of " + KNOWN.stream().map(Corpus::name).toList());
    }

    /** Where a corpus is cached. */
    public static Path cached(Corpus corpus, Path dir) {
        return dir.resolve(corpus.name() + ".txt");
    }

    /** The cached file of a known corpus, downloading it first if it is not cached yet. */
    public static Path fetch(String name, Path dir) {
        Corpus corpus = KNOWN.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new UserException(
                "unknown corpus '" + name + "': known corpora are " + KNOWN.stream().map(Corpus::name).toList()));
        Path target = cached(corpus, dir);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("emerald-corpus-");
            String text = corpus == TOM_SAWYER ? tomSawyer(work) : bible(work);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < corpus.minBytes() || bytes.length > corpus.maxBytes()) {
                throw new UserException("corpus " + name + " came out as " + bytes.length + " bytes, expected "
                        + corpus.minBytes() + " to " + corpus.maxBytes() + ": the Debian package has changed; use a text file instead");
            }
            AtomicFile.writeBytes(target, bytes);
            log("corpus " + name + ": wrote " + target + " (" + bytes.length + " bytes)");
            return target;
        } catch (IOException e) {
            throw new UserException("could not fetch corpus " + name + ": " + e + "; check disk space, or use a text file instead", e);
        } finally {
            if (work != null) {
                try {
                    FileTrees.deleteTree(work);
                } catch (IOException e) {
                    log("warning: could not delete the temporary directory " + work + " (" + e + ")");
                }
            }
        }
    }

    private static String tomSawyer(Path work) throws IOException {
        Path root = unpack(work, LZ4_PACKAGE);
        try (Stream<Path> files = Files.walk(root)) {
            Path member = files.filter(p -> p.getFileName().toString().equals(TOM_SAWYER_MEMBER)).findFirst()
                    .orElseThrow(() -> new UserException("package " + LZ4_PACKAGE + " no longer contains " + TOM_SAWYER_MEMBER
                            + ": use a text file instead"));
            return TextFile.read(member);
        }
    }

    private static String bible(Path work) throws IOException {
        Path root = unpack(work, "bible-kjv", "bible-kjv-text");
        log("corpus bible: running the extracted bible program to print Genesis 1:1 to Revelation 22:21");
        // -f turns pretty-printing off: one "Ge1:1 text" line per verse; -p points it at the extracted data
        byte[] out = run(work, root.resolve("usr/bin/bible").toString(), "-p", root.resolve("usr/lib").toString(),
                "-f", "gen1:1-rev22:21");
        return stripVerseReferences(new String(out, StandardCharsets.UTF_8));
    }

    /**
     * Turns the bible program's "Ge1:1 text" lines into plain text: one verse per line, a blank line between
     * chapters. Lines without a reference are kept as they are.
     */
    public static String stripVerseReferences(String referenced) {
        StringBuilder sb = new StringBuilder(referenced.length());
        String chapter = null;
        for (String line : referenced.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = VERSE.matcher(line);
            if (m.matches()) {
                String here = m.group(1) + m.group(2);
                if (chapter != null && !here.equals(chapter)) {
                    sb.append('\n');
                }
                chapter = here;
                line = m.group(4);
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** Downloads the packages into work and extracts them all into work/root; returns that root. */
    private static Path unpack(Path work, String... packages) throws IOException {
        String list = String.join(" ", packages);
        log("corpus: downloading Debian package(s) " + list + " with apt-get download");
        List<String> download = new ArrayList<>(List.of("apt-get", "download"));
        download.addAll(List.of(packages));
        try {
            run(work, download.toArray(String[]::new));
        } catch (UserException e) {
            // a fresh machine often has empty package lists; refreshing them is the usual fix
            if (!"root".equals(System.getProperty("user.name"))) {
                throw new UserException("apt-get could not download " + list + ": run 'sudo apt-get update' and try again ("
                        + e.getMessage() + ")", e);
            }
            log("corpus: apt-get download failed; refreshing the package lists with apt-get update and retrying");
            try {
                run(work, "apt-get", "update");
                run(work, download.toArray(String[]::new));
            } catch (UserException retry) {
                throw new UserException("could not download " + list + " from Debian's archive (" + retry.getMessage()
                        + "): check the network connection, or download the text yourself and pass its path", retry);
            }
        }
        Path root = work.resolve("root");
        try (Stream<Path> debs = Files.list(work)) {
            for (Path deb : debs.filter(p -> p.toString().endsWith(".deb")).toList()) {
                log("corpus: extracting " + deb.getFileName() + " with dpkg-deb");
                run(work, "dpkg-deb", "-x", deb.toString(), root.toString());
            }
        }
        return root;
    }

    /** Runs a command in dir and returns its stdout; a failure is a UserException with the end of its stderr. */
    private static byte[] run(Path dir, String... command) throws IOException {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new UserException("cannot run " + command[0] + " (" + e.getMessage() + "): fetching corpora needs"
                    + " Debian's apt-get and dpkg-deb; on other systems download the text yourself and pass its path", e);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            int rc = p.waitFor();
            if (rc != 0) {
                String stderr = Files.readString(err).strip().replace('\n', ' ');
                throw new UserException(String.join(" ", command) + " failed with exit code " + rc + ": "
                        + stderr.substring(Math.max(0, stderr.length() - 300)));
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while running " + command[0], e);
        }
        return out;
    }

    private static void log(String line) {
        System.err.println(line);
    }
}
