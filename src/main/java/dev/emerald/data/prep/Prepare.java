package dev.emerald.data.prep;

import dev.emerald.data.CharTokenizer;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.data.bpe.Bpe;
import dev.emerald.data.shard.ShardHeader;
import dev.emerald.data.shard.ShardWriter;
import dev.emerald.io.AtomicDir;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * {@code emerald prepare}: streams text out of files, folders and (nested) .xz and tar archives, splits it into
 * train and validation by document, tokenizes it on all cores and writes {@code train.bin} and {@code val.bin}
 * (token shards, see {@link ShardHeader}), {@code tokenizer.json} and {@code meta.json} into a directory that
 * appears only when complete. The char tokenizer first reads everything once to collect its vocabulary.
 */
public final class Prepare {
    public static final String META = "meta.json";
    public static final String TRAIN = "train.bin";
    public static final String VAL = "val.bin";
    public static final int DEFAULT_SECTION_BYTES = 1 << 20;

    /** @param sectionBytes documents longer than this are read, split and tokenized in sections of at most this */
    public record Options(List<Path> inputs, Path out, String tokenizer, double valFraction, boolean overwrite, int threads,
                          int sectionBytes) {
    }

    /** Where a pass stands: input bytes read of the total (for the ETA), files, documents and text bytes done. */
    public record Progress(String pass, long inputRead, long inputBytes, long files, long documents, long textBytes, double seconds) {
    }

    /** What a run reports as it goes. */
    public interface Listener {
        default void progress(Progress progress) {
        }

        default void skipped(PrepareMeta.Skip skip) {
        }
    }

    /** The directory's meta.json, and whether it was already up to date (nothing was done). */
    public record Result(PrepareMeta meta, boolean upToDate) {
    }

    /** Thrown when a stop was requested: nothing was written. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("prepare was stopped", null, false, false);
        }
    }

    private final Options options;
    private final Listener listener;
    private volatile boolean stopRequested;

    public Prepare(Options options, Listener listener) {
        this.options = options;
        this.listener = listener;
    }

    /** Asks the run to stop soon and leave nothing behind (safe from any thread). */
    public void requestStop() {
        stopRequested = true;
    }

    public Result run() {
        double valFraction = options.valFraction();
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new UserException("--val-fraction must be between 0 and 1 (exclusive), got " + valFraction + ": use e.g. 0.1 for 10%");
        }
        checkOutOutsideInputs();
        boolean chars = options.tokenizer().equals(Tokenizers.CHAR);
        Tokenizer given = chars ? null : givenTokenizer(options.tokenizer());
        Inputs inputs = Inputs.list(options.inputs(), settings(given));
        PrepareMeta done = OutputDir.finished(options.out(), inputs.fingerprint(), options.overwrite());
        if (done != null) {
            return new Result(done, true);
        }
        AtomicDir.checkWritable(options.out(), "prepared data");
        PrepareMeta[] meta = new PrepareMeta[1];
        AtomicDir.write(options.out(), META, tmp -> {
            try {
                Tokenizer tokenizer = given != null ? given : charVocabulary(inputs);
                meta[0] = tokens(tmp, inputs, tokenizer, chars);
                tokenizer.save(tmp.resolve(Tokenizer.FILE_NAME));
                meta[0].write(tmp.resolve(META));
            } catch (IOException e) {
                throw writeFailure(options.out(), e);
            }
        });
        return new Result(meta[0], false);
    }

    /** An output inside an input folder would be read as input while it is written. */
    private void checkOutOutsideInputs() {
        Path out = options.out().toAbsolutePath().normalize();
        for (Path input : options.inputs()) {
            if (Files.isDirectory(input) && out.startsWith(input.toAbsolutePath().normalize())) {
                throw new UserException("--out " + options.out() + " is inside the input folder " + input + ", which prepare would"
                        + " then read as well: choose an --out outside the inputs");
            }
        }
    }

    /** A tokenizer with a fixed vocabulary and an end-of-text token to put between documents. */
    private static Tokenizer givenTokenizer(String spec) {
        Tokenizer t = Tokenizers.resolve(spec);
        if (t.kind().equals(Tokenizers.CHAR)) {
            throw new UserException("tokenizer " + spec + " is a char vocabulary, fixed in advance: prepare builds the char"
                    + " vocabulary from the corpus itself; use --tokenizer char");
        }
        if (!t.specialTokens().containsKey(Bpe.END_OF_TEXT)) {
            throw new UserException("tokenizer " + spec + " has no " + Bpe.END_OF_TEXT + " token, which prepare puts after each"
                    + " document: use gpt2, or one trained by 'emerald tokenizer train' (which adds it)");
        }
        return t;
    }

    /** Everything besides the inputs that decides the output bytes, for the fingerprint. */
    private String settings(Tokenizer given) {
        String tokenizer = given == null ? Tokenizers.CHAR
                : HexFormat.of().formatHex(Inputs.sha256().digest(given.toJson().toString().getBytes(StandardCharsets.UTF_8)));
        return "emerald prepare v" + PrepareMeta.VERSION + " tokenizer " + tokenizer + " val_fraction " + options.valFraction()
                + " section_bytes " + options.sectionBytes();
    }

    /** The char tokenizer's pass over everything: the characters used, plus the end-of-text character. */
    private Tokenizer charVocabulary(Inputs inputs) throws IOException {
        BitSet characters = new BitSet();
        characters.set(CharText.END_OF_TEXT);
        Totals totals = new Totals();
        Pipeline pipeline = new Pipeline(options.threads(), options.sectionBytes());
        long started = System.nanoTime();
        pipeline.run(inputs.paths(), new VocabularyPass(), batch -> {
            checkStop();
            characters.or(batch.characters);
            totals.add(batch, false);
            listener.progress(totals.progress("vocabulary", pipeline, inputs, started));
        });
        totals.checkNotEmpty(inputs);
        return CharTokenizer.of(characters.stream().toArray());
    }

    private PrepareMeta tokens(Path dir, Inputs inputs, Tokenizer tokenizer, boolean chars) throws IOException {
        int endOfText = chars ? tokenizer.encode(Character.toString(CharText.END_OF_TEXT))[0]
                : tokenizer.specialTokens().get(Bpe.END_OF_TEXT);
        Totals totals = new Totals();
        Pipeline pipeline = new Pipeline(options.threads(), options.sectionBytes());
        long started = System.nanoTime();
        try (ShardWriter train = ShardWriter.create(dir.resolve(TRAIN), tokenizer.vocabSize());
             ShardWriter val = ShardWriter.create(dir.resolve(VAL), tokenizer.vocabSize())) {
            pipeline.run(inputs.paths(), new TokenPass(tokenizer, endOfText, chars, options.valFraction()), batch -> {
                checkStop();
                for (Batch.Piece piece : batch.pieces) {
                    (piece.validation() ? val : train).write(piece.ids(), 0, piece.ids().length);
                }
                batch.skipped.forEach(listener::skipped);
                totals.add(batch, true);
                listener.progress(totals.progress("tokens", pipeline, inputs, started));
            });
            totals.checkNotEmpty(inputs);
            totals.checkBothSplits(options.valFraction());
            train.finish();
            val.finish();
        }
        return new PrepareMeta(PrepareMeta.VERSION, options.tokenizer(), tokenizer.vocabSize(),
                ShardHeader.tokenBytesFor(tokenizer.vocabSize()), endOfText, options.valFraction(), totals.documents,
                totals.bytes, totals.train.tokens + totals.val.tokens, totals.train.split(), totals.val.split(), totals.files,
                totals.skipped, List.copyOf(totals.skippedListed), inputs.sizes(), inputs.fingerprint());
    }

    private void checkStop() {
        if (stopRequested) {
            throw new Stopped();
        }
    }

    /** A write that failed: a full disk says so; the output directory is left as it was. */
    static UserException writeFailure(Path out, IOException e) {
        String message = Objects.toString(e.getMessage(), e.getClass().getSimpleName());
        String what = message.contains("No space left on device") ? "the disk is full" : "writing failed (" + message + ")";
        return new UserException(what + " while preparing " + out + ": free some space or choose another --out, and run"
                + " prepare again; " + out + " was left as it was", e);
    }
}
