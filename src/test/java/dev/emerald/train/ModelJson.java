package dev.emerald.train;

/** config.json of tiny GPTs of both families, for tests. */
final class ModelJson {
    private ModelJson() {
    }

    static String tiny(String family, int vocab, int block, float dropout) {
        return (family.equals("course")
                ? "{\"architecture\":\"gpt\",\"vocab_size\":%d,\"block_size\":%d,\"n_layer\":2,\"n_head\":2,\"n_embd\":16,\"dropout\":%s,"
                + "\"prenorm\":false,\"activation\":\"relu\",\"qkv_bias\":false,\"tie_embeddings\":false,\"lm_head_bias\":true,\"scaled_residual_init\":false}"
                : "{\"architecture\":\"gpt\",\"vocab_size\":%d,\"block_size\":%d,\"n_layer\":2,\"n_head\":2,\"n_embd\":16,\"dropout\":%s,"
                + "\"prenorm\":true,\"activation\":\"gelu\",\"qkv_bias\":true,\"tie_embeddings\":true,\"lm_head_bias\":false,\"scaled_residual_init\":true}")
                .formatted(vocab, block, dropout);
    }
}
