package dev.emerald.model;

import dev.emerald.backend.Backend;

/**
 * A quantized GPT's parameters in host memory, laid out by {@link Int8Layout}: what a quantized checkpoint
 * holds, made from a float model's parameters or read from a file, and uploaded into a model.
 */
public record Int8Host(Int8Layout layout, float[] floats, byte[] values, float[] scales) {

    /** Zeros, to be filled. */
    public static Int8Host allocate(Int8Layout layout) {
        return new Int8Host(layout, new float[Math.toIntExact(layout.floats().total())],
                new byte[Math.toIntExact(layout.valueCount())], new float[Math.toIntExact(layout.scaleCount())]);
    }

    /** Quantizes a float GPT's parameters. */
    public static Int8Host quantize(Gpt model) {
        if (model.int8() != null) {
            throw new IllegalArgumentException("the model is quantized already");
        }
        float[] full = new float[Math.toIntExact(model.parameterCount())];
        model.backend().download(model.parameters(), full);
        return quantize(model.config(), full);
    }

    /** Quantizes parameters laid out by {@code new ParameterLayout(c)}. */
    public static Int8Host quantize(GptConfig c, float[] full) {
        Int8Host host = allocate(new Int8Layout(c));
        ParameterLayout layout = new ParameterLayout(c);
        for (ParameterLayout.Entry e : host.layout.floats().entries()) {
            ParameterLayout.Entry from = layout.find(e.name());
            System.arraycopy(full, Math.toIntExact(from.offset()), host.floats, Math.toIntExact(e.offset()), Math.toIntExact(e.size()));
        }
        for (Int8Layout.Matrix m : host.layout.matrices()) {
            Int8.quantize(m.name(), full, Math.toIntExact(layout.find(m.name()).offset()), m.rows(), m.cols(), host.values,
                    Math.toIntExact(m.valueOffset()), host.scales, Math.toIntExact(m.scaleOffset()));
        }
        host.dequantizeEmbedding();
        return host;
    }

    /** Makes the float lookup table of a tied embedding from its int8 values (nothing to do when untied). */
    public void dequantizeEmbedding() {
        ParameterLayout.Entry table = layout.dequantizedEmbedding();
        if (table != null) {
            Int8Layout.Matrix head = layout.matrices().get(layout.index(0, Linear.LM_HEAD));
            Int8.dequantize(values, Math.toIntExact(head.valueOffset()), scales, Math.toIntExact(head.scaleOffset()), head.rows(),
                    head.cols(), floats, Math.toIntExact(table.offset()));
        }
    }

    /** A model on backend with these parameters. */
    public Gpt upload(Backend backend) {
        Gpt model = Gpt.quantized(layout, backend);
        backend.upload(model.parameters(), floats);
        backend.uploadInt8(model.int8().values, values);
        backend.upload(model.int8().scales, scales);
        return model;
    }
}
