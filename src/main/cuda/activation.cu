// The MLP's activations and their gradients, pointwise over N elements:
//   GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), as the CPU backend;
//   ReLU: max(x, 0).
#include "common.cuh"

#define GELU_SCALING_FACTOR 0.7978845608028654f // sqrt(2 / pi)

__device__ __forceinline__ float gelu(float x) {
    float cube = x * x * x * 0.044715f;
    return 0.5f * x * (1.0f + tanhf(GELU_SCALING_FACTOR * (x + cube)));
}

__device__ __forceinline__ float relu(float x) {
    return fmaxf(x, 0.0f);
}

// out = act(inp), one thread per element; out is float, or bf16 where only a GEMM reads it (mixed precision).
template <float (*act)(float), typename Out>
__device__ __forceinline__ void activation_forward(Out* out, const float* inp, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    store(out + i, act(inp[i]));
}

// kernel 1, with a float out and with a bf16 out, of each activation
extern "C" __global__ void gelu_forward1(float* out, const float* inp, int N) { activation_forward<gelu>(out, inp, N); }
EMERALD_KERNEL(gelu_forward1)
extern "C" __global__ void gelu_forward_bf16_1(unsigned short* out, const float* inp, int N) { activation_forward<gelu>(out, inp, N); }
EMERALD_KERNEL(gelu_forward_bf16_1)
extern "C" __global__ void relu_forward1(float* out, const float* inp, int N) { activation_forward<relu>(out, inp, N); }
EMERALD_KERNEL(relu_forward1)
extern "C" __global__ void relu_forward_bf16_1(unsigned short* out, const float* inp, int N) { activation_forward<relu>(out, inp, N); }
EMERALD_KERNEL(relu_forward_bf16_1)

// kernel 1: one thread per element; dinp = dout * gelu'(inp), the CPU backend's formula and order.
// dinp may be dout (in place): each element is read and written by one thread.
extern "C" __global__ void gelu_backward1(float* dinp, const float* inp, const float* dout, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    float x = inp[i];
    float th = tanhf((x + x * x * x * 0.044715f) * GELU_SCALING_FACTOR);
    float dth = (x * x * (3.0f * 0.044715f) + 1.0f) * GELU_SCALING_FACTOR;
    float grad = (th + 1.0f) * 0.5f + x * 0.5f * (1.0f - th * th) * dth;
    dinp[i] = grad * dout[i];
}
EMERALD_KERNEL(gelu_backward1)

// kernel 1: one thread per element; dinp = dout where inp > 0, else 0 (dinp may be dout)
extern "C" __global__ void relu_backward1(float* dinp, const float* inp, const float* dout, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    dinp[i] = inp[i] > 0.0f ? dout[i] : 0.0f;
}
EMERALD_KERNEL(relu_backward1)
