// The residual stream, pointwise over N elements: out = inp1 + inp2, and the accumulating form
// dst += src (gradients with several consumers).
#include "common.cuh"

// kernel 1: one thread per element
extern "C" __global__ void residual_forward1(float* out, const float* inp1, const float* inp2, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    out[i] = inp1[i] + inp2[i];
}
EMERALD_KERNEL(residual_forward1)

// kernel 1: one thread per element
extern "C" __global__ void residual_accumulate1(float* dst, const float* src, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    dst[i] += src[i];
}
EMERALD_KERNEL(residual_accumulate1)
