package dev.emerald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.data.Tokenizer;
import dev.emerald.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code emerald info MODEL}: what a checkpoint holds, read without loading its weights. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model's config, parameter count and tokenizer (a checkpoint or a Hugging Face GPT-2 directory).")
final class InfoCommand implements Runnable {
    @Parameters(paramLabel = "MODEL", description = "checkpoint directory (a training run's --out) or Hugging Face GPT-2 directory")
    Path model;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        Checkpoint.Summary summary = Checkpoint.inspect(model);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.printf("model: %s (%s)%n", model, summary.format());
        out.println("config:");
        for (Map.Entry<String, JsonNode> field : summary.config().properties()) {
            out.printf("  %s: %s%n", field.getKey(), field.getValue().isTextual() ? field.getValue().asText() : field.getValue());
        }
        out.printf("parameters: %,d%n", summary.parameters());
        Tokenizer tokenizer = summary.tokenizer();
        String specials = tokenizer.specialTokens().entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
        out.printf("tokenizer: %s, %,d tokens%s%n", tokenizer.kind(), tokenizer.vocabSize(), specials.isEmpty() ? "" : "; special: " + specials);
    }
}
