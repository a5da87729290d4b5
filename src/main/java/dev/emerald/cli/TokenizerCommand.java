package dev.emerald.cli;

import dev.emerald.data.Corpora;
import dev.emerald.data.TextFile;
import dev.emerald.data.Tokenizer;
import dev.emerald.data.Tokenizers;
import dev.emerald.data.bpe.Bpe;
import dev.emerald.data.bpe.BpeTrainer;
import dev.emerald.util.UserException;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code emerald tokenizer train|encode|decode}: byte-level BPE vocabularies, and text to ids and back. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer, or encode and decode with one.",
        subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class, TokenizerCommand.Decode.class})
public final class TokenizerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use 'tokenizer train', 'tokenizer encode' or 'tokenizer decode'");
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Learn a byte-level BPE vocabulary (GPT-2's pre-tokenization) from texts and save it as a tokenizer.json.")
    static final class Train implements Runnable {
        @Parameters(arity = "1..*", paramLabel = "CORPUS", description = "UTF-8 text files, or tom-sawyer / bible")
        List<String> corpora;

        @Option(names = "--vocab-size", paramLabel = "N", description = "tokens in all: 256 bytes, the merges and the special tokens (default: ${DEFAULT-VALUE})")
        int vocabSize = 4096;

        @Option(names = "--special", paramLabel = "TEXT", description = "a special token besides <|endoftext|>, e.g. <|end_of_answer|>; repeatable")
        List<String> specials = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the tokenizer.json to write (must not exist)")
        Path out;

        @Mixin
        VerboseOption verbose;

        @Override
        public void run() {
            if (Files.exists(out)) { // before a training that may take a minute, not after
                throw new UserException(out + " already exists: delete it first or choose another --out");
            }
            List<String> texts = corpora.stream().map(c -> TextFile.read(Corpora.resolve(c, Corpora.DEFAULT_DIR))).toList();
            long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
            long started = System.nanoTime();
            Bpe bpe;
            try (ProgressBar bar = ProgressBars.create("bpe", " tokens", 256, vocabSize - 1 - specials.size())) {
                bpe = BpeTrainer.train(texts, vocabSize, specials, tokens -> {
                    if (bar != null) {
                        bar.stepTo(tokens);
                    }
                });
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            bpe.save(out);
            long tokens = texts.stream().mapToLong(t -> bpe.encode(t, true).length).sum();
            System.out.printf("%s: %,d tokens (%,d special) learned from %,d bytes in %.1f s; the texts encode to %,d tokens,"
                    + " %.2f bytes a token%n", out, bpe.vocabSize(), bpe.specialTokens().size(), bytes, seconds, tokens, (double) bytes / tokens);
            if (bpe.vocabSize() < vocabSize) {
                System.err.printf("emerald: the texts ran out of pairs to merge: the vocabulary has %,d tokens, not %,d%n",
                        bpe.vocabSize(), vocabSize);
            }
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Print the token ids of a text file, one per line.")
    static final class Encode implements Runnable {
        @Option(names = "--tokenizer", required = true, paramLabel = "gpt2|FILE", description = "gpt2, a tokenizer.json, or a model directory")
        String tokenizer;

        @Option(names = "--input", required = true, paramLabel = "TEXTFILE", description = "UTF-8 text to encode")
        Path input;

        @Option(names = "--allow-special", description = "encode special tokens' text (e.g. <|endoftext|>) as those tokens, not as text")
        boolean allowSpecial;

        @Mixin
        VerboseOption verbose;

        @Override
        public void run() {
            Tokenizer t = Tokenizers.resolve(tokenizer);
            int[] ids = t.encode(TextFile.read(input), allowSpecial);
            try {
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
                for (int id : ids) {
                    w.write(Integer.toString(id));
                    w.write('\n');
                }
                w.flush();
            } catch (IOException e) {
                throw new UserException("cannot write the ids: " + e.getMessage() + "; check where the output goes", e);
            }
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true, description = "Print the text of token ids (as 'tokenizer encode' writes them).")
    static final class Decode implements Runnable {
        @Option(names = "--tokenizer", required = true, paramLabel = "gpt2|FILE", description = "gpt2, a tokenizer.json, or a model directory")
        String tokenizer;

        @Option(names = "--input", required = true, paramLabel = "IDSFILE", description = "token ids separated by whitespace, e.g. one per line")
        Path input;

        @Mixin
        VerboseOption verbose;

        @Override
        public void run() {
            Tokenizer t = Tokenizers.resolve(tokenizer);
            int[] ids = readIds(input, t.vocabSize());
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            out.print(t.decode(ids, 0, ids.length));
            out.flush();
        }

        private static int[] readIds(Path file, int vocabSize) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserException("cannot read " + file + " (" + e + "): give a file of token ids, one per line", e);
            }
            int[] ids = new int[lines.size()];
            int n = 0;
            for (int line = 0; line < lines.size(); line++) {
                for (String word : lines.get(line).trim().split("\\s+")) {
                    if (word.isEmpty()) {
                        continue;
                    }
                    int id;
                    try {
                        id = Integer.parseInt(word);
                    } catch (NumberFormatException e) {
                        throw new UserException(file + " line " + (line + 1) + ": '" + word + "' is not a token id: give integers,"
                                + " one per line, as 'emerald tokenizer encode' prints them");
                    }
                    if (id < 0 || id >= vocabSize) {
                        throw new UserException(file + " line " + (line + 1) + ": token id " + id + " is outside the tokenizer's "
                                + vocabSize + " tokens (0 to " + (vocabSize - 1) + "): the ids come from another tokenizer");
                    }
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, 2 * n);
                    }
                    ids[n++] = id;
                }
            }
            return Arrays.copyOf(ids, n);
        }
    }
}
