// The second stage of the deterministic column reductions (bias_backward1, layernorm_param_backward1):
// dst (n) += the sum over chunks of partials[chunk][0..n), rows ld floats apart, in chunk order. With
// no atomics and a fixed order, a gradient is the same from run to run.
#include "common.cuh"

// kernel 1: one thread per column; consecutive threads read consecutive floats of each partial row
extern "C" __global__ void partial_sums_accumulate1(float* dst, const float* partials, int chunks, int n, int ld) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= n) {
        return;
    }
    float sum = 0.0f;
    for (int k = 0; k < chunks; k++) {
        sum += partials[(size_t)k * ld + c];
    }
    dst[c] += sum;
}
EMERALD_KERNEL(partial_sums_accumulate1)
