package dev.emerald.cli;

import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code emerald generate}: continues a prompt with a trained model, printing tokens as they come. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text from a trained model.")
final class GenerateCommand implements Runnable {
    @Mixin
    Common common;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory (a training run's --out)")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "text to continue, special tokens' text included,"
            + " e.g. <|endoftext|> (default: a newline)")
    String prompt = "\n";

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--int8", description = "quantize a float GPT's weight matrices to int8 as it loads (as 'emerald quantize')")
    boolean int8;

    @Override
    public void run() {
        if (prompt.isEmpty()) {
            throw new UserException("--prompt is empty: give at least one character, or leave it out to start from a newline");
        }
        SamplingSettings settings = sampling.settings();
        Checkpoint.Loaded loaded = Checkpoint.load(model, common.backend(), int8);
        TextGenerator generator = new TextGenerator(new Generator(loaded.model()), loaded.tokenizer());
        generator.encode(prompt); // a prompt the vocabulary cannot hold fails before anything is printed
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(prompt);
        generator.generate(prompt, settings, out::print, () -> false);
        out.println();
    }
}
