// Token + position embedding: out (B, T, C) = wte[inp[b, t]] + wpe[t], wte (V, C), wpe (maxT, C),
// inp (B, T) token ids.
#include "common.cuh"

// kernel 1: one thread per output element
extern "C" __global__ void encoder_forward1(float* out, const int* inp, const float* wte, const float* wpe,
                                            int B, int T, int C) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= B * T * C) {
        return;
    }
    int bt = idx / C, c = idx % C, t = bt % T;
    out[idx] = wte[(size_t)inp[bt] * C + c] + wpe[t * C + c];
}
EMERALD_KERNEL(encoder_forward1)
