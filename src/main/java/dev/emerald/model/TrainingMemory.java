package dev.emerald.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.Precision;
import dev.emerald.util.Bytes;

/**
 * What training a model on micro-batches of B sequences of T tokens allocates on its backend, in bytes,
 * computed from the sizes the model itself uses: parameters, their gradients, AdamW's two moments, the
 * activations the forward keeps for the backward (attention state included) and the backward's scratch.
 * In mixed precision the parameters include their bf16 copy and the activations their bf16 ones.
 */
public record TrainingMemory(long parameters, long gradients, long optimizer, long activations, long scratch) {

    public long total() {
        return parameters + gradients + optimizer + activations + scratch;
    }

    public static TrainingMemory of(LanguageModel model, int B, int T) {
        return of(Models.describe(model), model.backend(), B, T);
    }

    /** For the model a config.json describes, before it exists. */
    public static TrainingMemory of(JsonNode config, Backend backend, int B, int T) {
        return of(config, backend, backend.precision(), B, T);
    }

    /** As {@link #of(JsonNode, Backend, int, int)} with the GEMMs in precision rather than the backend's. */
    public static TrainingMemory of(JsonNode config, Backend backend, Precision precision, int B, int T) {
        if (config.path("architecture").asText("gpt").equals("bigram")) {
            return ofBigram(config.path("vocab_size").asInt(), B, T);
        }
        GptConfig c = Models.gptConfig(config);
        long attState = backend.attentionStateSize(B, T, c.nEmbd(), c.nHead());
        long attScratch = backend.attentionScratchSize(B, T, c.nEmbd(), c.nHead());
        boolean bf16 = precision == Precision.BF16;
        long params = new ParameterLayout(c).total();
        TrainingMemory fp32 = floats(params, Activations.size(c, B, T, attState, bf16), GradScratch.size(c, B, T, attScratch));
        if (!bf16) {
            return fp32;
        }
        return new TrainingMemory(fp32.parameters + 2 * params, fp32.gradients, fp32.optimizer,
                fp32.activations + 2 * Activations.halfSize(c, B, T), fp32.scratch);
    }

    /** The bigram table; logits (B, T, V), losses and the zero position table (T, V) forward, its gradient backward. */
    private static TrainingMemory ofBigram(int V, int B, int T) {
        long bt = (long) B * T;
        return floats(ParameterLayout.bigram(V).total(), bt * V + bt + (long) T * V, (long) T * V);
    }

    private static TrainingMemory floats(long parameters, long activations, long scratch) {
        return new TrainingMemory(4 * parameters, 4 * parameters, 8 * parameters, 4 * activations, 4 * scratch);
    }

    /** e.g. "parameters 3.2 MiB, gradients 3.2 MiB, AdamW moments 6.4 MiB, activations 41.0 MiB, backward scratch 12.0 MiB". */
    public String describe() {
        return "parameters " + Bytes.human(parameters) + ", gradients " + Bytes.human(gradients) + ", AdamW moments "
                + Bytes.human(optimizer) + ", activations " + Bytes.human(activations) + ", backward scratch " + Bytes.human(scratch);
    }
}
