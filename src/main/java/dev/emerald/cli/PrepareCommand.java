package dev.emerald.cli;

import dev.emerald.data.prep.Prepare;
import dev.emerald.data.prep.PrepareMeta;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@code emerald prepare}: turns a corpus of any size into token shards that {@code train --data} maps from disk. */
@Command(name = "prepare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tokenize a corpus of any size into token shards for 'train --data': .txt files, folders of them, .xz files,"
                + " .tar and .tar.xz archives, and OpenWebText (openwebtext.tar.xz, or Hugging Face's urlsf_subsetNN.tar files).",
                "Writes train.bin, val.bin, tokenizer.json and meta.json into --out, which appears only when complete."})
final class PrepareCommand implements Runnable {
    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "files and folders to read")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the directory to write (new, empty, or one from an earlier prepare)")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "char|gpt2|FILE", description = "gpt2 (the default), char (the corpus's"
            + " characters, found by a first pass), or a BPE tokenizer.json with <|endoftext|>, e.g. from 'emerald tokenizer train'")
    String tokenizer = "gpt2";

    @Option(names = "--val-fraction", paramLabel = "F", description = "share of documents held out for validation, chosen by a hash of each document's name (default: ${DEFAULT-VALUE})")
    double valFraction = 0.1;

    @Option(names = "--threads", paramLabel = "N", description = "threads that decompress and tokenize (default: the number of cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--overwrite", description = "replace data prepared from other inputs or settings (kept until the new data is complete)")
    boolean overwrite;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Prepare.Options options = new Prepare.Options(inputs, out, tokenizer, valFraction, overwrite, Math.max(1, threads),
                Prepare.DEFAULT_SECTION_BYTES);
        long started = System.nanoTime();
        Prepare.Result result;
        try (PrepareProgress progress = new PrepareProgress(stdout)) {
            Prepare prepare = new Prepare(options, progress);
            Signal.handle(new Signal("INT"), s -> prepare.requestStop());
            result = prepare.run();
        } catch (Prepare.Stopped e) {
            stdout.printf("stopped; %s was left as it was%n", out);
            throw new Interrupted();
        }
        PrepareMeta m = result.meta();
        if (result.upToDate()) {
            stdout.printf("%s is up to date: prepared from the same inputs and settings (%,d documents, %,d tokens); nothing to do%n",
                    out, m.documents(), m.tokens());
            return;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        stdout.printf("prepared %s: %,d documents, %,.1f MB of text -> %,d train + %,d val tokens (%s, vocabulary %,d, uint%d)"
                        + " in %s, %,.1f MB/s of text%s%n", out, m.documents(), m.bytes() / 1e6, m.train().tokens(), m.val().tokens(),
                m.tokenizer(), m.vocabSize(), 8 * m.tokenBytes(), PrepareProgress.clock(seconds), m.bytes() / 1e6 / seconds,
                m.skippedCount() == 0 ? "" : "; " + m.skippedCount() + " skipped (listed in " + out.resolve(Prepare.META) + ")");
    }
}
