package dev.emerald.data.prep;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A miniature OpenWebText in both of its layouts. Each member {@code urlsf_subsetNN-M_data.xz} is an
 * xz-compressed tar of {@code .txt} documents; the original layout gathers them as {@code openwebtext/...} in
 * {@code openwebtext.tar.xz}, Hugging Face's in plain {@code subsets/urlsf_subsetNN.tar} files. Optionally one
 * member is truncated (in both layouts), and the first member starts with awkward documents: a byte-order
 * mark, invalid UTF-8, an empty one, and the text of both end-of-text tokens. Also run by bench/prepare.sh.
 */
public final class MiniOpenWebText {
    public record Document(String name, byte[] bytes) {
    }

    public record Member(String name, List<Document> documents, boolean corrupt) {
    }

    /** Where the two layouts were written, and the members in archive order. */
    public record Corpus(Path original, List<Path> huggingFace, List<Member> members) {
        /** The documents of every member that is not corrupt, in archive order: what prepare should read. */
        public List<Document> readableDocuments() {
            return members.stream().filter(m -> !m.corrupt()).flatMap(m -> m.documents().stream()).toList();
        }

        public Member corruptMember() {
            return members.stream().filter(Member::corrupt).findFirst().orElseThrow();
        }

        public long textBytes() {
            return members.stream().flatMap(m -> m.documents().stream()).mapToLong(d -> d.bytes().length).sum();
        }
    }

    /** @param corruptMember index of the member to truncate, or -1 for none */
    public record Spec(int subsets, int membersPerSubset, int documentsPerMember, int meanDocumentBytes, long seed, int xzPreset,
                       int corruptMember, boolean oddDocuments) {
    }

    private MiniOpenWebText() {
    }

    public static Corpus write(Path dir, Spec spec) throws IOException {
        int count = spec.subsets() * spec.membersPerSubset();
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = String.format("urlsf_subset%02d-%d_data.xz", i / spec.membersPerSubset(), i % spec.membersPerSubset() + 1);
            members.add(new Member(name, documents(spec, i), i == spec.corruptMember()));
        }
        // members compress independently: in parallel, kept in order
        List<byte[]> compressed = IntStream.range(0, count).parallel().mapToObj(i -> member(members.get(i), spec.xzPreset())).toList();
        Files.createDirectories(dir.resolve("subsets"));
        Path original = dir.resolve("openwebtext.tar.xz");
        try (OutputStream xz = new XZOutputStream(Files.newOutputStream(original), new LZMA2Options(0));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(xz)) {
            for (int i = 0; i < count; i++) {
                add(tar, "openwebtext/" + members.get(i).name(), compressed.get(i));
            }
        }
        List<Path> huggingFace = new ArrayList<>();
        for (int s = 0; s < spec.subsets(); s++) {
            Path subset = dir.resolve("subsets").resolve(String.format("urlsf_subset%02d.tar", s));
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(subset))) {
                for (int i = s * spec.membersPerSubset(); i < (s + 1) * spec.membersPerSubset(); i++) {
                    add(tar, "openwebtext/" + members.get(i).name(), compressed.get(i));
                }
            }
            huggingFace.add(subset);
        }
        return new Corpus(original, huggingFace, members);
    }

    private static List<Document> documents(Spec spec, int member) {
        TextGen gen = new TextGen(spec.seed() * 1_000_003 + member);
        List<Document> docs = new ArrayList<>();
        if (spec.oddDocuments() && member == 0) {
            docs.add(new Document(name(member, docs.size()), "\uFEFFA byte-order mark starts this one.\n".getBytes(StandardCharsets.UTF_8)));
            docs.add(new Document(name(member, docs.size()), new byte[] {'b', 'a', 'd', ' ', (byte) 0xFF, (byte) 0xC3, '(', ' ',
                    (byte) 0xE2, (byte) 0x82, '\n'}));
            docs.add(new Document(name(member, docs.size()), new byte[0]));
            docs.add(new Document(name(member, docs.size()),
                    "Quoted: <|endoftext|> and \u0003 are text here.\n".getBytes(StandardCharsets.UTF_8)));
        }
        while (docs.size() < spec.documentsPerMember()) {
            int bytes = spec.meanDocumentBytes() / 4 + gen.nextInt(spec.meanDocumentBytes() * 3 / 2 + 1);
            docs.add(new Document(name(member, docs.size()), gen.text(bytes).getBytes(StandardCharsets.UTF_8)));
        }
        return docs;
    }

    /** OpenWebText's names: a running number and a hex digest. */
    private static String name(int member, int index) {
        byte[] digest = new byte[16];
        new SplittableRandom(member * 100_003L + index).nextBytes(digest);
        return String.format("%07d-%s.txt", member * 100_000 + index, HexFormat.of().formatHex(digest));
    }

    private static byte[] member(Member member, int preset) {
        byte[] all = xzTar(member.documents(), preset);
        return member.corrupt() ? java.util.Arrays.copyOf(all, all.length / 2) : all;
    }

    /** The documents as an xz-compressed tar, an OpenWebText member. */
    static byte[] xzTar(List<Document> documents, int preset) {
        return xz(tar(documents), preset);
    }

    static byte[] tar(List<Document> documents) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
                for (Document d : documents) {
                    add(tar, d.name(), d.bytes());
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] xz(byte[] data, int preset) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (XZOutputStream xz = new XZOutputStream(bytes, new LZMA2Options(preset))) {
                xz.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** {@code MiniOpenWebText DIR MEGABYTES [XZ_PRESET]}: a corpus of about that much text, ~2 MB per member as in OpenWebText. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int megabytes = Integer.parseInt(args[1]);
        int preset = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int members = Math.max(1, megabytes / 2);
        int perSubset = 20;
        Corpus c = write(dir, new Spec((members + perSubset - 1) / perSubset, perSubset, 500, 4000, 1, preset, -1, false));
        System.out.printf("wrote %s and %d subset tars: %d members, %,d bytes of text%n", c.original(), c.huggingFace().size(),
                c.members().size(), c.textBytes());
    }
}
