package dev.emerald.tensor;

/**
 * A contiguous range of floats (or, for quantized weights, int8 values) inside a backend's storage. Shapes are not stored: ops take their
 * sizes as arguments (as llm.c does) and the code documents them with shape comments, e.g. {@code // (B, T, C)}.
 */
public record Tensor(Storage storage, long offset, long size) {

    public Tensor {
        if (offset < 0 || size < 0 || offset + size > storage.size()) {
            throw new IllegalArgumentException("tensor [" + offset + ", " + (offset + size) + ") outside storage of " + storage.size());
        }
    }

    /** The sub-range [from, from + n) of this tensor. */
    public Tensor slice(long from, long n) {
        if (from < 0 || n < 0 || from + n > size) {
            throw new IllegalArgumentException("slice [" + from + ", " + (from + n) + ") outside tensor of " + size);
        }
        return new Tensor(storage, offset + from, n);
    }

    /** Offset as an int, for backends whose storage is a Java array. */
    public int off() {
        return Math.toIntExact(offset);
    }

    public int len() {
        return Math.toIntExact(size);
    }
}
