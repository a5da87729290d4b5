package dev.emerald.cli;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.io.AtomicDir;
import dev.emerald.io.FileTrees;
import dev.emerald.model.Gpt;
import dev.emerald.model.Int8Host;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code emerald quantize}: an int8 copy of a GPT for inference. Its weight matrices (q/k/v, attention
 * projection, MLP, LM head) become int8 with one float scale per row; the rest stays float.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Write an int8 copy of a GPT checkpoint (or Hugging Face GPT-2 directory) for inference: weight matrices as"
                + " int8 with one scale per row, the rest float.")
final class QuantizeCommand implements Runnable {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "a float checkpoint (a training run's --out)")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the new checkpoint's directory, which must not exist")
    Path out;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        if (Files.exists(out) && !FileTrees.isEmptyDirectory(out)) {
            throw new UserException(out + " already exists: choose another --out (quantize never replaces a directory)");
        }
        AtomicDir.checkWritable(out, "the quantized checkpoint");
        if (Checkpoint.isInt8(model)) {
            throw new UserException(model + " is int8-quantized already: give the float checkpoint it was made from");
        }
        Checkpoint.Loaded loaded = Checkpoint.load(model, new CpuBackend());
        if (!(loaded.model() instanceof Gpt gpt)) {
            throw new UserException(model + " holds a bigram model: quantize works on GPTs, whose linear layers it makes int8");
        }
        Checkpoint.saveInt8(out, Int8Host.quantize(gpt), loaded.tokenizer());
        long before = size(model.resolve(Checkpoint.MODEL)), after = size(out.resolve(Checkpoint.MODEL));
        new PrintStream(System.out, true, StandardCharsets.UTF_8).printf("wrote %s: %s %,d bytes -> %,d bytes (%.2fx)%n",
                out, Checkpoint.MODEL, before, after, (double) after / before);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
