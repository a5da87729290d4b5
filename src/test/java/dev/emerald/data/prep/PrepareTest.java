package dev.emerald.data.prep;

import dev.emerald.data.BatchSampler;
import dev.emerald.data.CharTokenizer;
import dev.emerald.data.TokenSpan;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.data.prep.MiniOpenWebText.Corpus;
import dev.emerald.data.prep.MiniOpenWebText.Document;
import dev.emerald.data.shard.MappedTokens;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare's output against what its documented rules give for a generated miniature OpenWebText. */
class PrepareTest {
    private static final Tokenizer GPT2 = Tokenizers.resolve(Tokenizers.GPT2);
    private static final int GPT2_END_OF_TEXT = 50256;

    @TempDir
    static Path shared;
    static Corpus corpus;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generate() throws IOException {
        // 6 members of 12 documents; the fifth is truncated
        corpus = MiniOpenWebText.write(shared.resolve("owt"), new MiniOpenWebText.Spec(2, 3, 12, 600, 7, 1, 4, true));
    }

    private static Prepare.Result prepare(List<Path> inputs, Path out, String tokenizer, int threads) {
        return new Prepare(new Prepare.Options(inputs, out, tokenizer, 0.1, false, threads, Prepare.DEFAULT_SECTION_BYTES),
                new Prepare.Listener() { }).run();
    }

    @Test
    void bothLayoutsGiveTheDocumentsTokensAndSplitExactly() throws IOException {
        Path original = tmp.resolve("original"), huggingFace = tmp.resolve("hf");
        PrepareMeta meta = prepare(List.of(corpus.original()), original, "gpt2", 3).meta();
        prepare(corpus.huggingFace(), huggingFace, "gpt2", 2);

        List<Document> docs = corpus.readableDocuments();
        Expected expected = Expected.of(docs, Expected.encoder(GPT2), GPT2_END_OF_TEXT, 0.1);
        assertTrue(expected.train.length > 0 && expected.val.length > 0, "the corpus puts documents in both splits");
        assertArrayEquals(expected.train, Expected.readShard(original.resolve(Prepare.TRAIN), 2, 50257));
        assertArrayEquals(expected.val, Expected.readShard(original.resolve(Prepare.VAL), 2, 50257));
        assertEquals(contents(original), contents(huggingFace), "the two layouts give the same bytes (meta.json aside)");

        List<Document> nonEmpty = docs.stream().filter(d -> d.bytes().length > 0).toList();
        assertEquals(nonEmpty.size(), meta.documents());
        assertEquals(nonEmpty.stream().mapToLong(d -> d.bytes().length).sum(), meta.bytes());
        assertEquals(expected.train.length + expected.val.length, meta.tokens());
        assertEquals(expected.val.length, meta.val().tokens());
        assertEquals(GPT2_END_OF_TEXT, meta.endOfText());
        assertEquals(1, meta.skippedCount());
        assertTrue(meta.skipped().getFirst().name().endsWith("openwebtext/" + corpus.corruptMember().name()), meta.skipped().toString());
        assertTrue(meta.skipped().getFirst().reason().contains("truncated"), meta.skipped().toString());
        assertEquals(GPT2.toJson(), Tokenizer.load(original.resolve(Tokenizer.FILE_NAME)).toJson());
    }

    @Test
    void charTokenizerTakesItsVocabularyFromTheCorpus() throws IOException {
        Path out = tmp.resolve("char");
        PrepareMeta meta = prepare(corpus.huggingFace(), out, "char", 2).meta();
        int[] vocabulary = Expected.charVocabulary(corpus.readableDocuments());
        CharTokenizer written = (CharTokenizer) Tokenizer.load(out.resolve(Tokenizer.FILE_NAME));
        assertEquals(vocabulary.length, written.vocabSize());
        for (int id = 0; id < vocabulary.length; id++) {
            assertEquals(Character.toString(vocabulary[id]), written.decode(id), "token " + id);
        }
        int endOfText = Arrays.binarySearch(vocabulary, 3);
        assertEquals(endOfText, meta.endOfText());
        Expected expected = Expected.of(corpus.readableDocuments(),
                text -> text.replace('\u0003', '\uFFFD').codePoints().map(cp -> Arrays.binarySearch(vocabulary, cp)).toArray(),
                endOfText, 0.1);
        assertArrayEquals(expected.train, Expected.readShard(out.resolve(Prepare.TRAIN), 2, vocabulary.length));
        assertArrayEquals(expected.val, Expected.readShard(out.resolve(Prepare.VAL), 2, vocabulary.length));
    }

    @Test
    void windowsFromTheMappedShardEqualThoseFromTheExpectedIds() throws IOException {
        Path out = tmp.resolve("mapped");
        prepare(corpus.huggingFace(), out, "gpt2", 2);
        int[] expected = Expected.of(corpus.readableDocuments(), Expected.encoder(GPT2), GPT2_END_OF_TEXT, 0.1).train;
        int b = 4, t = 16;
        try (MappedTokens mapped = MappedTokens.open(out.resolve(Prepare.TRAIN))) {
            BatchSampler fromDisk = new BatchSampler(mapped, b, t, Rng.of(11));
            BatchSampler inMemory = new BatchSampler(new TokenSpan(expected, 0, expected.length), b, t, Rng.of(11));
            int[] x1 = new int[b * t], y1 = new int[b * t], x2 = new int[b * t], y2 = new int[b * t];
            for (int i = 0; i < 3000; i++) { // past the shard's periodic unload of its pages
                fromDisk.next(x1, y1);
                inMemory.next(x2, y2);
                assertArrayEquals(x2, x1, "inputs of batch " + i);
                assertArrayEquals(y2, y1, "targets of batch " + i);
            }
        }
    }

    @Test
    void sameBytesWhateverTheThreadCountAndAReRunIsANoOp() throws IOException {
        Path one = tmp.resolve("one"), many = tmp.resolve("many");
        prepare(corpus.huggingFace(), one, "gpt2", 1);
        prepare(corpus.huggingFace(), many, "gpt2", 4);
        Map<String, String> written = contents(one);
        assertEquals(written, contents(many));
        assertEquals(Files.readString(one.resolve(Prepare.META)), Files.readString(many.resolve(Prepare.META)));

        FileTime before = Files.getLastModifiedTime(one.resolve(Prepare.TRAIN));
        assertTrue(prepare(corpus.huggingFace(), one, "gpt2", 2).upToDate());
        assertEquals(before, Files.getLastModifiedTime(one.resolve(Prepare.TRAIN)), "an up-to-date directory is not rewritten");

        UserException other = assertThrows(UserException.class, () -> prepare(corpus.huggingFace(), one, "char", 2));
        assertTrue(other.getMessage().contains("--overwrite"), other.getMessage());
        assertEquals(written, contents(one), "refusing leaves the directory as it was");
        new Prepare(new Prepare.Options(corpus.huggingFace(), one, "char", 0.1, true, 2, Prepare.DEFAULT_SECTION_BYTES),
                new Prepare.Listener() { }).run();
        assertEquals("char", Tokenizer.load(one.resolve(Tokenizer.FILE_NAME)).kind());
        assertTrue(siblings(one).stream().noneMatch(name -> name.startsWith(".")), "no temporary or old directories are left");
    }

    @Test
    void aMemberWhoseCheckFailsAtItsEndIsSkippedWhole() throws IOException {
        TextGen gen = new TextGen(5);
        List<List<Document>> members = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            List<Document> docs = new ArrayList<>();
            for (int d = 0; d < 20; d++) {
                docs.add(new Document(String.format("%d-%02d.txt", m, d), gen.text(200).getBytes(StandardCharsets.UTF_8)));
            }
            members.add(docs);
        }
        // padding after the tar's end, as tar writers add, so that reading the tar does not reach the block's end;
        // the block's CRC64 sits just before the index, whose size the 12-byte stream footer gives: every byte
        // of the member decodes fine, and only the check at the block's end can tell
        byte[] plain = MiniOpenWebText.tar(members.get(1));
        byte[] bad = MiniOpenWebText.xz(Arrays.copyOf(plain, plain.length + 65536), 1);
        int indexBytes = (ByteBuffer.wrap(bad, bad.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() + 1) * 4;
        bad[bad.length - 12 - indexBytes - 8] ^= 1;
        Path subset = tmp.resolve("subset.tar");
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(subset))) {
            for (int m = 0; m < 3; m++) {
                MiniOpenWebText.add(tar, "m" + m + ".xz", m == 1 ? bad : MiniOpenWebText.xzTar(members.get(m), 1));
            }
        }
        Path out = tmp.resolve("checked");
        PrepareMeta meta = prepare(List.of(subset), out, "gpt2", 2).meta();
        assertEquals(List.of(new PrepareMeta.Skip(subset + "/m1.xz", "corrupt .xz data (Integrity check (CRC64) does not match)")),
                meta.skipped());
        List<Document> good = new ArrayList<>(members.get(0));
        good.addAll(members.get(2));
        Expected expected = Expected.of(good, Expected.encoder(GPT2), GPT2_END_OF_TEXT, 0.1);
        assertArrayEquals(expected.train, Expected.readShard(out.resolve(Prepare.TRAIN), 2, 50257));
        assertArrayEquals(expected.val, Expected.readShard(out.resolve(Prepare.VAL), 2, 50257));
    }

    @Test
    void aCutArchiveKeepsTheMembersBeforeTheCut() throws IOException {
        // an interrupted download of openwebtext.tar.xz, long enough to span several LZMA2 chunks (a chunk,
        // at most 64 KiB compressed, is decoded whole or not at all)
        Corpus big = MiniOpenWebText.write(tmp.resolve("owt"), new MiniOpenWebText.Spec(1, 6, 40, 3000, 11, 1, -1, false));
        byte[] whole = Files.readAllBytes(big.original());
        Path cut = Files.write(tmp.resolve("openwebtext.tar.xz"), Arrays.copyOf(whole, whole.length * 3 / 5));
        Path out = tmp.resolve("cut");
        PrepareMeta meta = prepare(List.of(cut), out, "gpt2", 2).meta();

        // the member being read when the data ended is lost, and so is the rest of the archive after it
        String member = meta.skipped().getFirst().name().substring((cut + "/openwebtext/").length());
        int lost = big.members().stream().map(MiniOpenWebText.Member::name).toList().indexOf(member);
        assertTrue(lost >= 1, "members before the cut are kept: " + meta.skipped());
        assertEquals(List.of(new PrepareMeta.Skip(cut + "/openwebtext/" + member, "truncated: the data ends early"),
                new PrepareMeta.Skip(cut + " (after openwebtext/" + member + ")", "truncated: the data ends early")), meta.skipped());
        List<Document> before = big.members().subList(0, lost).stream().flatMap(m -> m.documents().stream()).toList();
        Expected expected = Expected.of(before, Expected.encoder(GPT2), GPT2_END_OF_TEXT, 0.1);
        assertArrayEquals(expected.train, Expected.readShard(out.resolve(Prepare.TRAIN), 2, 50257));
        assertArrayEquals(expected.val, Expected.readShard(out.resolve(Prepare.VAL), 2, 50257));
    }

    @Test
    void longDocumentsAreCutIntoSectionsAfterNewlines() throws IOException {
        // 95 lines of exactly 100 bytes: 1000-byte sections are 10 whole lines each, the last 5
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 95; i++) {
            text.append(String.format("%-99s\n", "line " + i + " of the long document"));
        }
        Path file = Files.writeString(tmp.resolve("long.txt"), text);
        Path out = tmp.resolve("long");
        new Prepare(new Prepare.Options(List.of(file), out, "gpt2", 0.5, false, 2, 1000), new Prepare.Listener() { }).run();
        List<Integer> train = new ArrayList<>(), val = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            String section = text.substring(k * 1000, Math.min(text.length(), (k + 1) * 1000));
            List<Integer> split = Expected.isValidation(k == 0 ? "long.txt" : "long.txt#" + k, 0.5) ? val : train;
            Arrays.stream(GPT2.encode(section, false)).forEach(split::add);
            if (k == 9) {
                split.add(GPT2_END_OF_TEXT);
            }
        }
        assertFalse(train.isEmpty() || val.isEmpty(), "sections land in both splits");
        assertArrayEquals(train.stream().mapToInt(i -> i).toArray(), Expected.readShard(out.resolve(Prepare.TRAIN), 2, 50257));
        assertArrayEquals(val.stream().mapToInt(i -> i).toArray(), Expected.readShard(out.resolve(Prepare.VAL), 2, 50257));
    }

    @Test
    void foldersAreReadInPathOrderAndWhatIsNotTextIsSkipped() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("texts/sub"));
        List<Document> docs = new ArrayList<>();
        TextGen gen = new TextGen(3);
        for (int i = 0; i < 20; i++) {
            String name = (i % 2 == 0 ? "sub/" : "") + "doc" + (char) ('a' + i) + ".txt";
            byte[] bytes = gen.text(300).getBytes(StandardCharsets.UTF_8);
            Files.write(tmp.resolve("texts").resolve(name), bytes);
            docs.add(new Document(name, bytes));
        }
        Files.writeString(tmp.resolve("texts/notes.md"), "not read");
        Path out = tmp.resolve("folder");
        PrepareMeta meta = prepare(List.of(tmp.resolve("texts")), out, "gpt2", 2).meta();
        List<Document> inPathOrder = docs.stream().sorted((a, b) -> tmp.resolve(a.name()).compareTo(tmp.resolve(b.name()))).toList();
        Expected expected = Expected.of(inPathOrder, Expected.encoder(GPT2), GPT2_END_OF_TEXT, 0.1);
        assertArrayEquals(expected.train, Expected.readShard(out.resolve(Prepare.TRAIN), 2, 50257));
        assertArrayEquals(expected.val, Expected.readShard(out.resolve(Prepare.VAL), 2, 50257));
        assertEquals(List.of(new PrepareMeta.Skip(tmp.resolve("texts/notes.md").toString(), "not a .txt, .xz or .tar file")), meta.skipped());
    }

    @Test
    void noTextOrOneSplitOnlyIsAnErrorAndLeavesNothing() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.write(empty.resolve("blank.txt"), new byte[0]);
        UserException none = assertThrows(UserException.class, () -> prepare(List.of(empty), tmp.resolve("out"), "gpt2", 2));
        assertTrue(none.getMessage().contains("no text found"), none.getMessage());

        Path single = Files.writeString(tmp.resolve("single.txt"), "just one short document\n");
        UserException oneSplit = assertThrows(UserException.class, () -> prepare(List.of(single), tmp.resolve("out"), "gpt2", 2));
        assertTrue(oneSplit.getMessage().contains("went to the"), oneSplit.getMessage());
        assertEquals(List.of("empty", "single.txt"), siblings(empty), "no output, not even a temporary one");

        UserException inside = assertThrows(UserException.class, () -> prepare(List.of(empty), empty.resolve("out"), "gpt2", 2));
        assertTrue(inside.getMessage().contains("inside the input folder"), inside.getMessage());
    }

    @Test
    void aStoppedRunLeavesNothingBehind() throws IOException {
        Path out = tmp.resolve("stopped");
        Prepare[] running = new Prepare[1];
        running[0] = new Prepare(new Prepare.Options(corpus.huggingFace(), out, "gpt2", 0.1, false, 2, Prepare.DEFAULT_SECTION_BYTES),
                new Prepare.Listener() {
                    @Override
                    public void progress(Prepare.Progress progress) {
                        running[0].requestStop(); // as Ctrl-C does, once the first results are written
                    }
                });
        assertThrows(Prepare.Stopped.class, running[0]::run);
        assertEquals(List.of(), siblings(out).stream().filter(n -> n.contains("stopped")).toList(), "no output, not even a temporary one");
    }

    @Test
    void aFixedCharVocabularyIsRefused() {
        Path file = tmp.resolve("chars.json");
        CharTokenizer.fit("abc").save(file);
        UserException e = assertThrows(UserException.class, () -> prepare(corpus.huggingFace(), tmp.resolve("out"), file.toString(), 2));
        assertTrue(e.getMessage().contains("use --tokenizer char"), e.getMessage());
    }

    @Test
    void aFullDiskIsNamedAsSuch() throws IOException {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs Linux's /dev/full");
        IOException e;
        try (FileChannel channel = FileChannel.open(full, StandardOpenOption.WRITE)) {
            e = assertThrows(IOException.class, () -> channel.write(ByteBuffer.allocate(4096)));
        }
        UserException message = Prepare.writeFailure(Path.of("data/owt"), e);
        assertTrue(message.getMessage().startsWith("the disk is full while preparing data/owt"), message.getMessage());
        assertTrue(message.getMessage().contains("data/owt was left as it was"), message.getMessage());
    }

    /** Every file of a prepared directory but meta.json (which names its inputs), by name. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path f : list.filter(f -> !f.getFileName().toString().equals(Prepare.META)).toList()) {
                files.put(f.getFileName().toString(), Arrays.toString(Inputs.sha256().digest(Files.readAllBytes(f))));
            }
        }
        return files;
    }

    private static List<String> siblings(Path path) throws IOException {
        try (Stream<Path> list = Files.list(path.getParent())) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
