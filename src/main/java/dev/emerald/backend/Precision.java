package dev.emerald.backend;

import dev.emerald.util.UserException;

import java.util.Arrays;
import java.util.Locale;

/**
 * The precision of a GPT's GEMMs ({@code --precision}). BF16 is mixed precision on the CUDA backend: the
 * GEMMs take bf16 operands (a bf16 copy of the weights, made at each forward from the fp32 master
 * weights; the activations that only GEMMs read, stored as bf16; the others cast by chunks of rows) and
 * accumulate and write in fp32. Everything else — master weights, gradients, AdamW's moments, the
 * residual stream, layernorm statistics, attention, softmax and the loss — stays fp32. bf16 has fp32's
 * 8-bit exponent, so gradients do not underflow as fp16's would: no loss scaling is needed.
 */
public enum Precision {
    FP32, BF16;

    /** fp32 or bf16, any case. */
    public static Precision parse(String name) {
        return Arrays.stream(values()).filter(p -> p.label().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new UserException("unknown precision '" + name + "': use fp32 or bf16"));
    }

    /** As on the command line: fp32, bf16. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
