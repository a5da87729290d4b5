package dev.emerald.backend.cuda;

import dev.emerald.util.UserException;

import java.util.Locale;

/** Which causal attention {@link CudaBackend} runs. */
public enum Attention {
    /**
     * The FlashAttention-style kernels ({@link FlashAttention}): the (T, T) scores exist a tile at a
     * time, and the forward saves only each row's logsumexp (B, NH, T). Head sizes up to
     * {@link FlashAttention#MAX_HEAD_SIZE}; larger heads run unfused.
     */
    FUSED,
    /** cuBLAS batched GEMMs around a fused masked softmax, through (B, NH, T, T) probabilities: the reference. */
    UNFUSED;

    /** The system property that selects the attention, before the environment variable. */
    public static final String PROPERTY = "emerald.attention";
    public static final String ENV = "EMERALD_ATTENTION";

    /** From {@value #PROPERTY}, else ${@value #ENV}, else {@link #FUSED}. */
    public static Attention configured() {
        String value = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (value == null) {
            value = System.getenv(ENV);
            source = ENV;
        }
        return value == null || value.isEmpty() ? FUSED : parse(value, source);
    }

    /** "fused" or "unfused", any case; source names where the value came from, for the error. */
    public static Attention parse(String value, String source) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "fused" -> FUSED;
            case "unfused" -> UNFUSED;
            default -> throw new UserException(source + "=" + value + " is not an attention: use fused or unfused");
        };
    }
}
