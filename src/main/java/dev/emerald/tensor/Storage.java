package dev.emerald.tensor;

/** A backend's block of float memory: a Java array on the CPU, a device allocation on CUDA. */
public interface Storage {
    long size();
}
