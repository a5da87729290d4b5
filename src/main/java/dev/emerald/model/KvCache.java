package dev.emerald.model;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;

/**
 * The keys and values of one sequence's positions, layer by layer, so that generation runs each new token alone
 * ({@link LanguageModel#forward(int[], int, KvCache)}): (n_layer, 2, block_size, C) in one buffer on the model's
 * backend. The caller owns it; many caches, one per sequence, share one model. Close it to give the memory back.
 */
public final class KvCache implements AutoCloseable {
    private final LanguageModel model;
    private final Tensor buffer;
    private final int capacity;
    private final long layerFloats;
    private int length;

    KvCache(LanguageModel model, int layers, int C) {
        this.model = model;
        this.capacity = model.blockSize();
        this.layerFloats = (long) capacity * C;
        this.buffer = model.backend().alloc(2 * layers * layerFloats);
    }

    /** The positions held: the next token runs at this position. */
    public int length() {
        return length;
    }

    /** The most positions it holds: the model's block_size. */
    public int capacity() {
        return capacity;
    }

    /** Forgets every position, keeping the memory. */
    public void clear() {
        length = 0;
    }

    /** Layer l's keys (block_size, C). */
    Tensor keys(int l) {
        return buffer.slice(2 * l * layerFloats, layerFloats);
    }

    /** Layer l's values (block_size, C). */
    Tensor values(int l) {
        return buffer.slice((2 * l + 1) * layerFloats, layerFloats);
    }

    /** Checks that owner made this cache and that T more positions fit. */
    void checkRoom(LanguageModel owner, int T) {
        if (owner != model) {
            throw new IllegalArgumentException("a KV cache is for the model that made it");
        }
        if (T < 1 || length + T > capacity) {
            throw new IllegalArgumentException(T + " new positions after " + length + " do not fit block_size " + capacity);
        }
    }

    /** Counts T more positions in, once their keys and values are written. */
    void advance(int T) {
        length += T;
    }

    @Override
    public void close() {
        model.backend().free(buffer);
    }
}
