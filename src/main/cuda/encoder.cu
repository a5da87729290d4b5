// Token + position embedding: out (B, T, C) = wte[inp[b, t]] + wpe[t], wte (V, C), wpe (maxT, C),
// inp (B, T) token ids; and its backward, dwte += the scatter of dout by token, dwpe += dout summed
// over the batch. Deterministic without atomics: each gradient element has one thread, which adds
// its terms in position order (the CPU backend's order, so the sums are the same bit for bit).
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

// kernel 1: one thread per (token, channel). The host buckets the positions by token (it has the
// ids): buckets holds tokens (U), the U distinct tokens; starts (U + 1); then positions (B * T), where
// token u's positions, in increasing order, are positions[starts[u] .. starts[u + 1]). A token that
// fills the batch makes one thread per channel do all the work: fine at the sizes trained here.
extern "C" __global__ void encoder_backward_wte1(float* dwte, const float* dout, const int* buckets, int U, int C) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= U * C) {
        return;
    }
    int u = idx / C, c = idx % C;
    const int* starts = buckets + U;
    const int* positions = buckets + 2 * U + 1;
    float* dw = dwte + (size_t)buckets[u] * C + c;
    float acc = *dw;
    for (int k = starts[u]; k < starts[u + 1]; k++) {
        acc += dout[(size_t)positions[k] * C + c];
    }
    *dw = acc;
}
EMERALD_KERNEL(encoder_backward_wte1)

// kernel 1: one thread per element of dwpe (T, C), adding dout over b = 0, 1, ...
extern "C" __global__ void encoder_backward_wpe1(float* dwpe, const float* dout, int B, int T, int C) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= T * C) {
        return;
    }
    float acc = dwpe[idx];
    for (int b = 0; b < B; b++) {
        acc += dout[(size_t)b * T * C + idx];
    }
    dwpe[idx] = acc;
}
EMERALD_KERNEL(encoder_backward_wpe1)
