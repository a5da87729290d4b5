package dev.emerald.cli;

import dev.emerald.backend.Backend;
import dev.emerald.backend.Precision;
import picocli.CommandLine.Option;

/** {@code --precision} of the commands that train: train, bench train and finetune. */
final class PrecisionOption {
    @Option(names = "--precision", paramLabel = "fp32|bf16", description = "precision of the GPT's GEMMs: fp32, or bf16 (mixed precision,"
            + " fp32 master weights; needs --device cuda or cuda-emu) (default: ${DEFAULT-VALUE})")
    String precision = "fp32";

    /** The backend of common's --device, with the GEMMs in this precision. */
    Backend backend(Common common) {
        return common.backend(Precision.parse(precision));
    }
}
