// Dropout in place over N elements, as Backend.dropout: x = x / (1 - p) where kept, 0 where dropped,
// the mask from the counter-based stream (seed, stream) indexed by the element (dropout.cuh). The
// backward applies the same call to the gradient, which recomputes the same mask.
#include "common.cuh"
#include "dropout.cuh"

// kernel 1: one thread per element
extern "C" __global__ void dropout_forward1(float* x, int N, float p, unsigned long long seed,
                                            unsigned long long stream) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    float keep = 1.0f / (1.0f - p);
    x[i] = dropout_uniform(seed, stream, i) >= p ? x[i] * keep : 0.0f;
}
EMERALD_KERNEL(dropout_forward1)
