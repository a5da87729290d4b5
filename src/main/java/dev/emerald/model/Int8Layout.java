package dev.emerald.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where an int8-quantized GPT keeps its parameters: the weight matrix of every {@link Linear} layer as int8
 * values in one buffer with one float scale per row in another (block by block, then the LM head), and all
 * else (embeddings, norms, biases) as floats, laid out as the float model's parameters without those
 * matrices. A tied LM head is the token embedding: it is int8 for the head and float for the lookup, the
 * float one dequantized from the int8 one, so that both read the same weights.
 */
public final class Int8Layout {

    /** A quantized matrix: rows x cols int8 values at valueOffset, rows scales at scaleOffset. */
    public record Matrix(String name, int rows, int cols, long valueOffset, long scaleOffset) {
        public long size() {
            return (long) rows * cols;
        }
    }

    private final GptConfig config;
    private final ParameterLayout floats;
    private final List<Matrix> matrices = new ArrayList<>();
    private long values;
    private long scales;

    public Int8Layout(GptConfig c) {
        this.config = c;
        ParameterLayout full = new ParameterLayout(c);
        Set<String> quantized = new HashSet<>();
        for (int l = 0; l < c.nLayer(); l++) {
            for (Linear linear : Linear.PER_BLOCK) {
                add(full, linear.weightName(c, l), quantized);
            }
        }
        add(full, Linear.LM_HEAD.weightName(c, 0), quantized);
        if (c.tieEmbeddings()) {
            quantized.remove(Linear.LM_HEAD.weightName(c, 0)); // the lookup keeps a float table
        }
        this.floats = full.without(quantized);
    }

    private void add(ParameterLayout full, String name, Set<String> quantized) {
        int[] shape = full.find(name).shape();
        Matrix m = new Matrix(name, shape[0], shape[1], values, scales);
        matrices.add(m);
        quantized.add(name);
        values += m.size();
        scales += m.rows();
    }

    public GptConfig config() {
        return config;
    }

    /** The float parameters. */
    public ParameterLayout floats() {
        return floats;
    }

    /** Every quantized matrix: four per block in {@link Linear#PER_BLOCK} order, then the LM head. */
    public List<Matrix> matrices() {
        return List.copyOf(matrices);
    }

    /** The matrix of a linear layer in block l (l is ignored for the LM head). */
    public int index(int l, Linear linear) {
        return linear == Linear.LM_HEAD ? matrices.size() - 1 : l * Linear.PER_BLOCK.size() + linear.ordinal();
    }

    /** Int8 values in all. */
    public long valueCount() {
        return values;
    }

    /** Row scales in all. */
    public long scaleCount() {
        return scales;
    }

    /** The float table dequantized from the int8 LM head (the tied token embedding), or null. */
    public ParameterLayout.Entry dequantizedEmbedding() {
        return config.tieEmbeddings() ? floats.find(Linear.LM_HEAD.weightName(config, 0)) : null;
    }
}
