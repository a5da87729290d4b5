package dev.emerald.tensor;

/**
 * A backend's block of memory: a Java array on the CPU, a device allocation on CUDA. Floats, or int8
 * values for quantized weights (each backend keeps the two apart and refuses one where the other is needed).
 */
public interface Storage {
    /** Elements, floats or int8 values. */
    long size();
}
