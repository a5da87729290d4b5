package dev.emerald.backend.cpu;

import dev.emerald.tensor.Storage;
import dev.emerald.tensor.Tensor;

/** CPU storage: a Java float array (the Vector API reads it directly). */
public record CpuStorage(float[] data) implements Storage {
    @Override
    public long size() {
        return data.length;
    }

    static float[] of(Tensor t) {
        if (!(t.storage() instanceof CpuStorage s)) {
            throw new IllegalArgumentException("int8 weights where a float tensor is needed");
        }
        return s.data;
    }
}
