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
import java.util.List;
import java.util.Map;

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

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int maxNewTokens = 500;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy; higher is more random (default: ${DEFAULT-VALUE})")
    float temperature = 1.0f;

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K most likely tokens; 0 = all (default: ${DEFAULT-VALUE})")
    int topK = 0;

    @Option(names = "--top-p", paramLabel = "P", description = "sample among the most likely tokens whose probabilities add up to P;"
            + " 1 = all (default: ${DEFAULT-VALUE})")
    float topP = 1.0f;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "make tokens already in the text less likely"
            + " (a logit is divided by R, or multiplied when negative); 1 = off (default: ${DEFAULT-VALUE})")
    float repetitionPenalty = 1.0f;

    @Option(names = "--seed", paramLabel = "N", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--stop", paramLabel = "TEXT", description = "end the text before TEXT, left out (repeatable)")
    List<String> stop = List.of();

    @Option(names = "--no-stop-at-end-of-text", description = "go on past the end-of-text token (by default it ends the text)")
    boolean pastEndOfText;

    @Override
    public void run() {
        if (prompt.isEmpty()) {
            throw new UserException("--prompt is empty: give at least one character, or leave it out to start from a newline");
        }
        SamplingSettings settings;
        try {
            settings = new SamplingSettings(temperature, topK, topP, repetitionPenalty, seed, maxNewTokens, stop, !pastEndOfText);
        } catch (UserException e) {
            throw new UserException(optionNamed(e.getMessage()), e);
        }
        Checkpoint.Loaded loaded = Checkpoint.load(model, common.backend());
        TextGenerator generator = new TextGenerator(new Generator(loaded.model()), loaded.tokenizer());
        generator.encode(prompt); // a prompt the vocabulary cannot hold fails before anything is printed
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(prompt);
        generator.generate(prompt, settings, out::print, () -> false);
        out.println();
    }

    /** SamplingSettings' message, which names the setting, naming the option instead. */
    private static String optionNamed(String message) {
        for (Map.Entry<String, String> e : OPTIONS.entrySet()) {
            if (message.startsWith(e.getKey())) {
                return e.getValue() + message.substring(e.getKey().length());
            }
        }
        return message;
    }

    private static final Map<String, String> OPTIONS = Map.of("temperature", "--temperature", "top-k", "--top-k", "top-p", "--top-p",
            "repetition penalty", "--repetition-penalty", "max new tokens", "--max-new-tokens", "a stop string", "--stop");
}
