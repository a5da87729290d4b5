package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;

import java.util.List;

/** The int8 matrices of a quantized GPT on its backend, laid out by {@link Int8Layout}. */
public final class Int8Weights {

    /** A matrix: values (OC, C) int8, scales (OC). */
    public record Matrix(Tensor values, Tensor scales) {
    }

    public final Int8Layout layout;
    public final Tensor values;
    public final Tensor scales;
    private final List<Matrix> matrices;

    Int8Weights(Int8Layout layout, Backend backend) {
        this.layout = layout;
        this.values = backend.allocInt8(layout.valueCount());
        this.scales = backend.alloc(layout.scaleCount());
        this.matrices = layout.matrices().stream().map(m -> new Matrix(values.slice(m.valueOffset(), m.size()),
                scales.slice(m.scaleOffset(), m.rows()))).toList();
    }

    /** The matrix of a linear layer in block l (l is ignored for the LM head). */
    public Matrix matrix(int l, Linear linear) {
        return matrices.get(layout.index(l, linear));
    }
}
