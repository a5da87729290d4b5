package dev.emerald.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** The options that size a preset's model (train, bench train, bench generate): each given one replaces the preset's value. */
final class ModelSizes {
    @Option(names = "--block-size", paramLabel = "N", description = "context length")
    Integer blockSize;

    @Option(names = "--n-layer", paramLabel = "N")
    Integer nLayer;

    @Option(names = "--n-head", paramLabel = "N")
    Integer nHead;

    @Option(names = "--n-embd", paramLabel = "N")
    Integer nEmbd;

    /** Whether any size was given. */
    boolean any() {
        return blockSize != null || nLayer != null || nHead != null || nEmbd != null;
    }

    /** Puts the sizes given into a preset's model config. */
    void applyTo(ObjectNode model) {
        RecipeOptions.putIfSet(model, "block_size", blockSize);
        RecipeOptions.putIfSet(model, "n_layer", nLayer);
        RecipeOptions.putIfSet(model, "n_head", nHead);
        RecipeOptions.putIfSet(model, "n_embd", nEmbd);
    }
}
