package dev.emerald.data.prep;

import dev.emerald.data.Tokenizer;
import dev.emerald.data.prep.MiniOpenWebText.Document;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What prepare must write, computed from the documents by the rules it documents, without its code: each
 * non-empty document's text (invalid UTF-8 replaced, no leading byte-order mark), encoded on its own, then the
 * end-of-text token, in the split that SHA-256 of its name picks.
 */
final class Expected {
    final int[] train;
    final int[] val;

    Expected(int[] train, int[] val) {
        this.train = train;
        this.val = val;
    }

    /** The whole documents, each encoded by {@code encode}. */
    static Expected of(List<Document> docs, Function<String, int[]> encode, int endOfText, double valFraction) {
        IntStream.Builder train = IntStream.builder(), val = IntStream.builder();
        for (Document d : docs) {
            if (d.bytes().length == 0) {
                continue;
            }
            IntStream.Builder split = isValidation(d.name(), valFraction) ? val : train;
            Arrays.stream(encode.apply(text(d.bytes()))).forEach(split::add);
            split.add(endOfText);
        }
        return new Expected(train.build().toArray(), val.build().toArray());
    }

    static String text(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /** The documented rule, in exact arithmetic: first 8 bytes of SHA-256, unsigned big-endian, over 2^64, below the fraction. */
    static boolean isValidation(String name, double valFraction) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            BigDecimal u = new BigDecimal(new BigInteger(1, Arrays.copyOf(hash, 8))).divide(new BigDecimal(BigInteger.TWO.pow(64)));
            return u.compareTo(new BigDecimal(valFraction)) < 0;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The char vocabulary prepare must build: every character of the texts, U+0003 in them read as U+FFFD, plus U+0003. */
    static int[] charVocabulary(List<Document> docs) {
        IntStream texts = docs.stream().flatMapToInt(d -> text(d.bytes()).replace('\u0003', '\uFFFD').codePoints());
        return IntStream.concat(IntStream.of(3), texts).distinct().sorted().toArray();
    }

    /** A shard's ids, read by the documented layout: 32-byte header (EMTOKENS, version, width, count, vocabulary), then little-endian ids. */
    static int[] readShard(Path file, int expectedWidth, int vocabSize) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals("EMTOKENS", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt(), "version");
        assertEquals(expectedWidth, b.getInt(), "bytes per id");
        long count = b.getLong();
        assertEquals(vocabSize, b.getInt(), "vocabulary size");
        assertEquals(0, b.getInt(), "reserved");
        assertEquals(32 + count * expectedWidth, b.capacity(), "file size");
        int[] ids = new int[Math.toIntExact(count)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = expectedWidth == 2 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        }
        return ids;
    }

    static Function<String, int[]> encoder(Tokenizer tokenizer) {
        return text -> tokenizer.encode(text, false);
    }
}
