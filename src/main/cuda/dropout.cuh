// The counter-based dropout stream of backend/DropoutRng.java, bit for bit: element index of stream
// under seed keeps its value when dropout_uniform(seed, stream, index) >= p. Stateless, so a
// backward kernel recomputes the mask instead of reading a stored one. Unsigned 64-bit arithmetic
// wraps as Java's long does, and >> on an unsigned value is Java's >>>.
#pragma once
#include "common.cuh"

// SplitMix64's finaliser over a key made of seed, stream and index.
__device__ __forceinline__ unsigned long long dropout_bits(unsigned long long seed, unsigned long long stream,
                                                         unsigned long long index) {
    unsigned long long z = seed + stream * 0xD1B54A32D192ED03ull + index * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// A float uniform in [0, 1) from the top 24 bits (exact: 24 bits fit a float's mantissa).
__device__ __forceinline__ float dropout_uniform(unsigned long long seed, unsigned long long stream,
                                                 unsigned long long index) {
    return (float)(dropout_bits(seed, stream, index) >> 40) * 0x1.0p-24f;
}

// The factor dropout applies to element index: 1 / (1 - p) if kept, 0 if dropped; 1 when p is 0.
__device__ __forceinline__ float dropout_scale(float p, unsigned long long seed, unsigned long long stream,
                                               unsigned long long index) {
    if (p <= 0.0f) {
        return 1.0f;
    }
    return dropout_uniform(seed, stream, index) >= p ? 1.0f / (1.0f - p) : 0.0f;
}
