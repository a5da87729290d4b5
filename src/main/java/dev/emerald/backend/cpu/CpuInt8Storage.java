package dev.emerald.backend.cpu;

import dev.emerald.tensor.Storage;
import dev.emerald.tensor.Tensor;

/** CPU storage of int8 values (quantized weights): a Java byte array. */
public record CpuInt8Storage(byte[] data) implements Storage {
    @Override
    public long size() {
        return data.length;
    }

    static byte[] bytes(Tensor t) {
        if (!(t.storage() instanceof CpuInt8Storage s)) {
            throw new IllegalArgumentException("a float tensor where int8 weights are needed");
        }
        return s.data;
    }
}
