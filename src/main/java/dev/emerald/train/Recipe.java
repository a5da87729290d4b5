package dev.emerald.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.data.Tokenizer;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;

/** How a run is set up from a preset's JSON (with any overrides): shared by {@code emerald train} and training from code. */
public final class Recipe {
    /** The seed of a run that names none. */
    public static final long DEFAULT_SEED = 1337;

    private Recipe() {
    }

    /** The training settings of {@code train}, with one micro-batch per step and the default seed where it leaves them out. */
    public static TrainConfig config(ObjectNode train) {
        ObjectNode t = train.deepCopy();
        if (!t.has("grad_accum")) {
            t.put("grad_accum", 1);
        }
        if (!t.has("seed")) {
            t.put("seed", DEFAULT_SEED);
        }
        return Models.read(t, TrainConfig.class, "training settings");
    }

    /** A new model of the config {@code model} for tokenizer's vocabulary, its weights initialised from seed. */
    public static LanguageModel model(ObjectNode model, Tokenizer tokenizer, Backend backend, long seed) {
        ObjectNode json = model.deepCopy();
        json.put("vocab_size", tokenizer.vocabSize());
        LanguageModel created = Models.create(json, backend);
        created.initWeights(seed);
        return created;
    }
}
