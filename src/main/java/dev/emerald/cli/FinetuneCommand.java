package dev.emerald.cli;

import dev.emerald.backend.Backend;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.data.Dataset;
import dev.emerald.finetune.FineTuning;
import dev.emerald.finetune.Pair;
import dev.emerald.finetune.PairSet;
import dev.emerald.finetune.PairsFile;
import dev.emerald.generate.Completion;
import dev.emerald.generate.Generator;
import dev.emerald.generate.SamplingSettings;
import dev.emerald.generate.TextGenerator;
import dev.emerald.model.Gpt;
import dev.emerald.model.Lora;
import dev.emerald.model.LoraModel;
import dev.emerald.model.Models;
import dev.emerald.train.AdamW;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.LoraCheckpoint;
import dev.emerald.train.TrainConfig;
import dev.emerald.train.TrainState;
import dev.emerald.train.Trainer;
import dev.emerald.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** {@code emerald finetune}: trains a checkpoint further on prompt/completion pairs, with the loss on the completions only. */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune a model on a JSONL file of {\"prompt\": ..., \"completion\": ...} lines: the loss is on the completions"
                + " and the end token appended to each, so that generation stops after a completion.")
final class FinetuneCommand implements Runnable {
    /** Fine-tuning's recipe, before the options: a lower learning rate than pre-training, no weight decay. */
    private static final String RECIPE = """
            {"batch_size": 16, "learning_rate": 3e-4, "min_lr": 3e-5, "warmup_steps": 20, "max_steps": 300, "weight_decay": 0.0,
             "beta1": 0.9, "beta2": 0.99, "grad_clip": 1.0, "eval_interval": 50, "eval_iters": 10}""";

    @Mixin
    Common common;

    @Mixin
    PrecisionOption precision;

    @Option(names = "--model", paramLabel = "DIR", description = "the base checkpoint (a training run's --out, or a Hugging Face GPT-2 directory)")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", description = "JSONL pairs, one {\"prompt\": \"...\", \"completion\": \"...\"} a line")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the fine-tuned checkpoint goes")
    Path out;

    @Option(names = "--resume", description = "continue the fine-tuning run saved in --out")
    boolean resume;

    @Option(names = "--overwrite", description = "replace the checkpoint already in --out (it stays intact until the new one is complete)")
    boolean overwrite;

    @Option(names = "--val-fraction", paramLabel = "F", description = "share of the pairs held out for validation, chosen by a hash of"
            + " each pair (default: 0.1)")
    Double valFraction;

    @Option(names = "--lora-rank", paramLabel = "R", description = "train LoRA adapters of rank R on the attention and MLP projections"
            + " instead of every weight; --out then holds only the adapters, merged into the base (which must stay) on load")
    Integer loraRank;

    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA's alpha: the adapters' path is scaled by A / R (default: R)")
    Float loraAlpha;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--examples", paramLabel = "N", description = "held-out prompts completed greedily at the end (default: ${DEFAULT-VALUE})")
    int examples = 3;

    private final PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    @Override
    public void run() {
        if (resume) {
            resume();
            return;
        }
        if (model == null || data == null) {
            throw new UserException("finetune needs --model (the base checkpoint) and --data (the pairs), or --resume to continue a run");
        }
        TrainingRun.checkOutput(out, overwrite);
        if (Checkpoint.isInt8(model)) {
            throw new UserException(model + " holds int8 weights, which are for inference only: fine-tune the float checkpoint"
                    + " it was quantized from");
        }
        List<Pair> pairs = PairsFile.read(data); // bad data and options fail before the model loads
        TrainConfig config = recipe.overrides(recipeJson());
        double fraction = valFraction != null ? valFraction : Dataset.DEFAULT_VAL_FRACTION;
        Lora.Settings lora = loraSettings();
        Checkpoint.Loaded base = Checkpoint.load(model, precision.backend(common));
        FineTuning ft = FineTuning.start(base.model(), base.tokenizer(), data, pairs, fraction);
        stdout.printf("fine-tuning %s (%,d parameters)%s%n", model, ft.model().layout().total(), added(ft.addedCharacters()));
        if (lora != null) {
            ft = adapt(ft, lora, config.seed());
        }
        Trainer trainer = new Trainer(ft.model(), ft.tokenizer(), ft.pairs(), config, TrainState.Source.pairs(data.toString(), fraction), out);
        train(ft, data, trainer, config, new AdamW(ft.model()), 0, config.seed());
    }

    /** The LoRA options, checked before anything loads; null without --lora-rank. */
    private Lora.Settings loraSettings() {
        if (loraRank == null) {
            if (loraAlpha != null) {
                throw new UserException("--lora-alpha applies to LoRA only: add --lora-rank R, or leave --lora-alpha out");
            }
            return null;
        }
        if (loraRank < 1 || (loraAlpha != null && !(loraAlpha > 0))) {
            throw new UserException("--lora-rank must be at least 1 and --lora-alpha above 0 (got " + loraRank + ", " + loraAlpha
                    + "): try --lora-rank 8");
        }
        if (LoraCheckpoint.holds(model)) {
            throw new UserException(model + " holds LoRA adapters, not a whole model: give their base as --model, or fine-tune"
                    + " without --lora-rank");
        }
        return new Lora.Settings(loraRank, loraAlpha != null ? loraAlpha : loraRank);
    }

    /** ft with the base frozen and LoRA adapters trained (and the embedding, when the vocabulary grew, as its new rows start equal). */
    private FineTuning adapt(FineTuning ft, Lora.Settings settings, long seed) {
        if (!(ft.model() instanceof Gpt gpt)) {
            throw new UserException(model + " holds a bigram model: LoRA adapts a GPT's projections; fine-tune without --lora-rank");
        }
        List<String> whole = ft.addedCharacters().isEmpty() ? List.of() : LoraModel.vocabularyTensors(gpt);
        LoraModel adapted = new LoraModel(gpt, LoraCheckpoint.origin(model), settings, whole);
        adapted.initWeights(seed);
        stdout.printf("LoRA rank %d, alpha %s on %d projections: %,d trained parameters%s%n", settings.rank(), settings.alpha(),
                4 * gpt.config().nLayer(), adapted.layout().total(), whole.isEmpty() ? "" : " (with " + String.join(", ", whole)
                        + " trained whole for the new characters)");
        return new FineTuning(adapted, ft.tokenizer(), ft.pairs(), ft.addedCharacters());
    }

    private void resume() {
        if (loraRank != null || loraAlpha != null) {
            throw new UserException("--lora-rank and --lora-alpha do not apply to --resume: the run keeps its own; leave them out");
        }
        if (model != null) {
            throw new UserException("--model does not apply to --resume: the run continues the model saved in " + out + "; leave --model out");
        }
        if (!Files.isRegularFile(out.resolve(Checkpoint.STATE))) {
            throw new UserException(out + " holds no resumable run (no " + Checkpoint.STATE + "): start a new fine-tuning without --resume");
        }
        Backend backend = precision.backend(common);
        Checkpoint.Loaded run = LoraCheckpoint.holds(out) ? LoraCheckpoint.resume(out, backend) : Checkpoint.load(out, backend);
        TrainState state = run.state();
        if (state.pairs() == null) {
            throw new UserException(out + " holds a training run, not a fine-tuning one: continue it with 'emerald train --resume --out " + out + "'");
        }
        Path file = data != null ? data : Path.of(state.pairs());
        double fraction = valFraction != null ? valFraction : state.valFraction();
        TrainConfig config = recipe.overrides(Models.JSON.valueToTree(state.train()));
        if (state.step() >= config.maxSteps()) {
            throw new UserException("the run in " + out + " already reached step " + state.step() + ": pass a larger --steps to continue it");
        }
        PairSet pairs = FineTuning.pairs(run.model(), run.tokenizer(), file, PairsFile.read(file), fraction);
        FineTuning ft = new FineTuning(run.model(), run.tokenizer(), pairs, List.of());
        stdout.printf("resuming the fine-tuning in %s at step %d%n", out, state.step());
        Trainer trainer = new Trainer(ft.model(), ft.tokenizer(), pairs, config, TrainState.Source.pairs(file.toString(), fraction), out);
        trainer.restoreMetrics(TrainingRun.readMetrics(out), state.step());
        train(ft, file, trainer, config, run.optimizer(), state.step(), state.samplerState());
    }

    private void train(FineTuning ft, Path file, Trainer trainer, TrainConfig config, AdamW optimizer, int startStep, long samplerState) {
        PairSet pairs = ft.pairs();
        stdout.printf("%s: %,d train + %,d validation pairs%s | %s%n", file, pairs.trainSize(), pairs.validationPairs().size(),
                pairs.truncated() == 0 ? "" : ", " + pairs.truncated() + " longer than block_size + 1 = " + (ft.model().blockSize() + 1)
                        + " tokens cut to it (the prompt's start first)", TrainOptions.describe(config, pairs.rowLength()));
        new TrainingRun(stdout, ft.model(), config, pairs.rowLength(), out).run(trainer, optimizer, startStep, samplerState);
        showExamples(ft);
    }

    /** Greedy completions of the first held-out prompts, beside the expected ones, and how many match. */
    private void showExamples(FineTuning ft) {
        if (examples <= 0) {
            return;
        }
        List<Pair> held = ft.pairs().validationPairs();
        held = held.subList(0, Math.min(examples, held.size()));
        stdout.println("--- held-out prompts, greedy ---");
        TextGenerator generator = new TextGenerator(new Generator(ft.model()), ft.tokenizer());
        SamplingSettings greedy = SamplingSettings.DEFAULTS.withTemperature(0).withMaxNewTokens(ft.pairs().rowLength());
        int ended = 0, matched = 0;
        for (Pair p : held) {
            Completion c = generator.generate(p.prompt(), greedy, s -> { }, () -> false);
            boolean end = c.finishReason() == Completion.FinishReason.END_OF_TEXT;
            ended += end ? 1 : 0;
            matched += end && c.text().equals(p.completion()) ? 1 : 0;
            stdout.printf("%s -> %s%s%n", quote(p.prompt()), quote(c.text()), end ? (c.text().equals(p.completion()) ? "" : ", expected "
                    + quote(p.completion())) : " (no end token)");
        }
        stdout.printf("%d of %d held-out prompts completed as in the data; %d ended with the end token%n", matched, held.size(), ended);
    }

    private static String added(List<Integer> characters) {
        if (characters.isEmpty()) {
            return "";
        }
        return "; its character vocabulary gains " + characters.size() + ": " + characters.stream()
                .map(cp -> quote(Character.toString(cp))).collect(Collectors.joining(" "));
    }

    /** A string as JSON writes it: quoted, with newlines and control characters escaped. */
    private static String quote(String s) {
        try {
            return Models.JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }

    private static ObjectNode recipeJson() {
        try {
            return (ObjectNode) Models.JSON.readTree(RECIPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the built-in recipe is valid JSON", e);
        }
    }
}
