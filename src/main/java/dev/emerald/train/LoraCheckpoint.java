package dev.emerald.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.emerald.backend.Backend;
import dev.emerald.data.Tokenizers;
import dev.emerald.model.Gpt;
import dev.emerald.model.Linear;
import dev.emerald.model.Lora;
import dev.emerald.model.LoraModel;
import dev.emerald.model.Models;
import dev.emerald.model.ParameterLayout;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A LoRA fine-tuning's directory: adapter_config.json (the base checkpoint, by path, size and SHA-256 of its weights;
 * rank, alpha, targets), adapter.safetensors (the trained parameters only), tokenizer.json and, to resume, the
 * optimizer and state as {@link Checkpoint}'s. The base stays where it is; loading merges the adapters into it.
 */
public final class LoraCheckpoint {
    public static final String CONFIG = "adapter_config.json";
    public static final String ADAPTER = "adapter.safetensors";

    /** adapter_config.json. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record AdapterConfig(String base, long baseBytes, String baseSha256, int rank, float alpha, List<String> targets,
                         List<String> trainedWhole) {
    }

    private LoraCheckpoint() {
    }

    /** Whether dir holds LoRA adapters. */
    public static boolean holds(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** The base checkpoint in dir, identified by its weights file, for adapters that must find it again. */
    public static LoraModel.Origin origin(Path dir) {
        Path weights = dir.resolve(Checkpoint.MODEL);
        try (InputStream in = Files.newInputStream(weights)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            return new LoraModel.Origin(dir.toAbsolutePath().normalize().toString(), Files.size(weights),
                    HexFormat.of().formatHex(sha.digest()));
        } catch (IOException e) {
            throw new UserException("cannot read " + weights + " (" + e.getMessage() + "): LoRA needs the base's weights file", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static AdapterConfig describe(LoraModel model) {
        LoraModel.Origin o = model.origin();
        return new AdapterConfig(o.dir(), o.bytes(), o.sha256(), model.settings().rank(), model.settings().alpha(),
                Linear.PER_BLOCK.stream().map(l -> l.weightName(model.base().config(), 0).replace("transformer.h.0.", "")).toList(),
                model.whole());
    }

    /** The fine-tuning in dir, to continue it: the adapted model (not merged), its optimizer and state. */
    public static Checkpoint.Loaded resume(Path dir, Backend backend) {
        return Checkpoint.resumable(dir, adapted(dir, backend), Tokenizers.fromDirectory(dir));
    }

    /** The base of the adapters in dir on backend, grown to their vocabulary, with the adapters read. */
    static LoraModel adapted(Path dir, Backend backend) {
        AdapterConfig config;
        try {
            config = Models.JSON.readValue(dir.resolve(CONFIG).toFile(), AdapterConfig.class);
        } catch (IOException e) {
            throw new UserException(dir.resolve(CONFIG) + " is damaged (" + e.getMessage() + "): fine-tune again", e);
        }
        Path baseDir = Path.of(config.base());
        if (!Files.isRegularFile(baseDir.resolve(Checkpoint.MODEL))) {
            throw new UserException("the base checkpoint " + baseDir + " of the LoRA adapters in " + dir
                    + " is missing: put it back there (LoRA saves only the adapters)");
        }
        LoraModel.Origin origin = origin(baseDir);
        if (origin.bytes() != config.baseBytes() || !origin.sha256().equals(config.baseSha256())) {
            throw new UserException("the base checkpoint " + baseDir + " has changed since the LoRA adapters in " + dir
                    + " were trained on it (its weights differ): restore that base, or fine-tune again");
        }
        int vocab = Tokenizers.fromDirectory(dir).vocabSize();
        if (!(Checkpoint.load(baseDir, backend).model() instanceof Gpt base)) {
            throw new UserException(baseDir + " holds a bigram model: LoRA adapts a GPT's projections");
        }
        LoraModel model = new LoraModel(withVocabulary(base, vocab), origin, new Lora.Settings(config.rank(), config.alpha()),
                config.trainedWhole());
        Checkpoint.read(dir.resolve(ADAPTER), model, List.of(new Checkpoint.Buffer("", model.parameters())));
        return model;
    }

    /** base with vocab tokens: its tensors copied but the vocabulary's, which the adapters hold whole. */
    private static Gpt withVocabulary(Gpt base, int vocab) {
        if (base.vocabSize() == vocab) {
            return base;
        }
        Backend be = base.backend();
        Gpt grown = new Gpt(base.config().withVocabSize(vocab), be);
        List<String> whole = LoraModel.vocabularyTensors(base);
        for (ParameterLayout.Entry e : grown.layout().entries()) {
            if (!whole.contains(e.name())) {
                ParameterLayout.Entry from = base.layout().find(e.name());
                be.copy(grown.parameters().slice(e.offset(), e.size()), base.parameters().slice(from.offset(), from.size()));
            }
        }
        be.free(base.parameters());
        return grown;
    }
}
