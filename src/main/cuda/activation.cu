// The MLP's activations, pointwise over N elements:
//   GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), as the CPU backend;
//   ReLU: max(x, 0).
#include "common.cuh"

#define GELU_SCALING_FACTOR 0.7978845608028654f // sqrt(2 / pi)

// kernel 1: one thread per element
extern "C" __global__ void gelu_forward1(float* out, const float* inp, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    float x = inp[i];
    float cube = x * x * x * 0.044715f;
    out[i] = 0.5f * x * (1.0f + tanhf(GELU_SCALING_FACTOR * (x + cube)));
}
EMERALD_KERNEL(gelu_forward1)

// kernel 1: one thread per element
extern "C" __global__ void relu_forward1(float* out, const float* inp, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    out[i] = fmaxf(inp[i], 0.0f);
}
EMERALD_KERNEL(relu_forward1)
