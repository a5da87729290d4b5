package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.generate.Generator;
import dev.emerald.generate.Sampler;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Gpt;
import dev.emerald.model.Int8Host;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.train.Checkpoint;
import dev.emerald.util.UserException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code emerald bench generate}: batch-1 generation speed with the KV cache against the course's loop, which
 * runs the whole context (the last block_size tokens) again for every token; same model, prompt and sampling,
 * alternating in one run.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time batch-1 generation with the KV cache against the course's full recompute per token, alternating;"
                + " prints each one's tokens/s (median of the rounds) and their ratio.")
final class BenchGenerateCommand implements Runnable {
    @Mixin
    Common common;

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--preset", paramLabel = "NAME", description = "a preset's model with random weights (default: course)")
        String preset;

        @Option(names = "--model", paramLabel = "DIR", description = "a checkpoint directory (a training run's --out)")
        Path model;
    }

    @Option(names = "--vocab-size", paramLabel = "N", description = "the preset's vocabulary (default: 65, the characters of the"
            + " course's Shakespeare)")
    Integer vocabSize;

    @Mixin
    ModelSizes sizes;

    @Option(names = "--tokens", paramLabel = "N", description = "new tokens per run, after a one-token prompt (default: ${DEFAULT-VALUE}, the course's)")
    int tokens = 500;

    @Option(names = "--int8", description = "quantize the GPT's weight matrices to int8 (as 'emerald quantize') before timing")
    boolean int8;

    @Option(names = "--rounds", paramLabel = "N", description = "timed runs of each, alternating, after one untimed of each (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        if (tokens < 1 || rounds < 1) {
            throw new UserException("--tokens and --rounds must be at least 1, got " + tokens + " and " + rounds);
        }
        Backend backend = common.backend();
        LanguageModel model = model(backend);
        stdout.printf("%s%s: %,d parameters, %s | batch 1, %d new tokens after a 1-token prompt, temperature 1, %d rounds after an untimed one, %s%n",
                source.model != null ? source.model : preset(), int8 ? " (int8 weights)" : "", model.layout().total(), Models.describe(model), tokens, rounds,
                backend.name());
        Generator cached = new Generator(model), recomputing = Generator.recomputing(model);
        double[] fast = new double[rounds], slow = new double[rounds];
        for (int round = 0; round <= rounds; round++) {
            double f = tokensPerSecond(cached), s = tokensPerSecond(recomputing);
            String untimed = round == 0 ? " (untimed)" : "";
            stdout.printf("round %d: kv-cache %.1f tokens/s, recompute %.1f tokens/s%s%n", round, f, s, untimed);
            if (round > 0) {
                fast[round - 1] = f;
                slow[round - 1] = s;
            }
        }
        double f = median(fast), s = median(slow);
        stdout.printf("kv-cache: %.1f tokens/s (median of %d rounds)%n", f, rounds);
        stdout.printf("recompute: %.1f tokens/s (median of %d rounds)%n", s, rounds);
        stdout.printf("ratio: %.2f%n", f / s);
        stdout.printf("tokens/s: %.0f%n", f);
    }

    private String preset() {
        return source.preset != null ? source.preset : "course";
    }

    /** The checkpoint's model, or the preset's with the options' sizes and seeded random weights. */
    private LanguageModel model(Backend backend) {
        if (source.model != null) {
            if (vocabSize != null || sizes.any()) {
                throw new UserException("--vocab-size, --block-size, --n-layer, --n-head and --n-embd size a --preset's model;"
                        + " a --model has its own: leave them out");
            }
            return Checkpoint.load(source.model, backend, int8).model();
        }
        ObjectNode m = Preset.load(preset()).model().deepCopy();
        m.put("vocab_size", vocabSize != null ? vocabSize : 65);
        sizes.applyTo(m);
        // int8: the float weights are made on the host, then quantized, as 'generate --int8' does
        LanguageModel model = Models.create(m, int8 ? new CpuBackend() : backend);
        model.initWeights(1337);
        if (!int8) {
            return model;
        }
        if (!(model instanceof Gpt gpt)) {
            throw new UserException("the " + preset() + " preset is not a GPT: int8 quantization is for GPTs; leave out --int8");
        }
        return Int8Host.quantize(gpt).upload(backend);
    }

    /** New tokens a second of one generation: token 0 as the prompt, as the course starts, and the same seed every time. */
    private double tokensPerSecond(Generator generator) {
        long start = System.nanoTime();
        generator.generate(new int[1], tokens, new Sampler(1f, 0, 1), t -> true);
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
