package dev.emerald.train;

import dev.emerald.io.SafeTensors;
import dev.emerald.model.GptConfig;
import dev.emerald.model.Int8Host;
import dev.emerald.model.Int8Layout;
import dev.emerald.model.ParameterLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The model.safetensors of an int8-quantized checkpoint ({@link Int8Layout}): the float parameters as F32
 * under their names, less the tied embedding's float table (dequantized from its int8 values on load);
 * each quantized matrix's row scales as F32 (rows) under NAME_scale; then each matrix as I8 (rows, cols)
 * under its name. Floats come first, so every F32 tensor starts 4-byte aligned.
 */
final class Int8Checkpoint {
    static final String SCALE = "_scale";

    private Int8Checkpoint() {
    }

    static void write(Path file, Int8Host model) {
        Int8Layout layout = model.layout();
        List<SafeTensors.Written> entries = new ArrayList<>();
        for (ParameterLayout.Entry e : stored(layout)) {
            entries.add(new SafeTensors.Entry(e.name(), Arrays.stream(e.shape()).asLongStream().toArray(), model.floats(),
                    Math.toIntExact(e.offset()), Math.toIntExact(e.size())));
        }
        for (Int8Layout.Matrix m : layout.matrices()) {
            entries.add(new SafeTensors.Entry(m.name() + SCALE, new long[] {m.rows()}, model.scales(), Math.toIntExact(m.scaleOffset()), m.rows()));
        }
        for (Int8Layout.Matrix m : layout.matrices()) {
            entries.add(new SafeTensors.Int8Entry(m.name(), new long[] {m.rows(), m.cols()}, model.values(),
                    Math.toIntExact(m.valueOffset()), Math.toIntExact(m.size())));
        }
        SafeTensors.write(file, entries, Map.of("format", "pt", "writer", "emerald", "quantization", "int8"));
    }

    /** Reads a quantized GPT of that config, checking every tensor's name, dtype and shape. */
    static Int8Host read(Path file, GptConfig config) {
        Int8Host model = Int8Host.allocate(new Int8Layout(config));
        Int8Layout layout = model.layout();
        try (SafeTensors.Reader reader = SafeTensors.Reader.open(file)) {
            int expected = 0;
            for (ParameterLayout.Entry e : stored(layout)) {
                Checkpoint.checkShape(file, reader, e.name(), e.shape());
                reader.readFloats(e.name(), model.floats(), Math.toIntExact(e.offset()));
                expected++;
            }
            for (Int8Layout.Matrix m : layout.matrices()) {
                Checkpoint.checkShape(file, reader, m.name() + SCALE, m.rows());
                reader.readFloats(m.name() + SCALE, model.scales(), Math.toIntExact(m.scaleOffset()));
                Checkpoint.checkShape(file, reader, m.name(), m.rows(), m.cols());
                reader.readBytes(m.name(), model.values(), Math.toIntExact(m.valueOffset()));
                expected += 2;
            }
            Checkpoint.checkCount(file, reader, expected);
        }
        model.dequantizeEmbedding();
        return model;
    }

    /** The float parameters the file holds. */
    private static List<ParameterLayout.Entry> stored(Int8Layout layout) {
        ParameterLayout.Entry table = layout.dequantizedEmbedding();
        return layout.floats().entries().stream().filter(e -> table == null || !e.name().equals(table.name())).toList();
    }
}
