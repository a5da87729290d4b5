// The data movement of the unfused attention (as llm.c's attention_forward and attention_backward):
// the GEMMs are cuBLAS strided-batched calls and the softmax is softmax.cu, so only the layout
// changes live here.
//   permute:   qkv (B, T, 3, NH, hs) = (B, T, 3C)  ->  q, k, v (B, NH, T, hs), one contiguous (T, hs)
//              matrix per head for the batched GEMMs
//   unpermute: y (B, NH, T, hs)  ->  out (B, T, NH, hs) = (B, T, C)
// and their backward, the same moves in the other direction.
#include "common.cuh"

// kernel 1: one thread per element of q (and of k and v)
extern "C" __global__ void attention_permute1(float* q, float* k, float* v, const float* inp,
                                              int B, int T, int NH, int hs) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= B * NH * T * hs) {
        return;
    }
    int b = idx / (NH * T * hs);
    int h = idx / (T * hs) % NH;
    int t = idx / hs % T;
    int i = idx % hs;
    int C = NH * hs;
    size_t src = (size_t)(b * T + t) * 3 * C + h * hs + i;
    q[idx] = inp[src];
    k[idx] = inp[src + C];
    v[idx] = inp[src + 2 * C];
}
EMERALD_KERNEL(attention_permute1)

// kernel 1: one thread per element of out, so the writes are coalesced
extern "C" __global__ void attention_unpermute1(float* out, const float* inp, int B, int T, int NH, int hs) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= B * T * NH * hs) {
        return;
    }
    int b = idx / (T * NH * hs);
    int t = idx / (NH * hs) % T;
    int h = idx / hs % NH;
    int i = idx % hs;
    out[idx] = inp[((size_t)(b * NH + h) * T + t) * hs + i];
}
EMERALD_KERNEL(attention_unpermute1)

// kernel 1: one thread per element of dqkv (B, T, 3C), overwritten, gathered from dq, dk, dv (B, NH, T, hs)
extern "C" __global__ void attention_permute_backward1(float* dinp, const float* dq, const float* dk,
                                                       const float* dv, int B, int T, int NH, int hs) {
    int C = NH * hs;
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= B * T * 3 * C) {
        return;
    }
    int bt = idx / (3 * C);
    int which = idx / C % 3;  // q, k or v
    int h = idx / hs % NH;
    int i = idx % hs;
    int b = bt / T, t = bt % T;
    const float* src = which == 0 ? dq : which == 1 ? dk : dv;
    dinp[idx] = src[((size_t)(b * NH + h) * T + t) * hs + i];
}
EMERALD_KERNEL(attention_permute_backward1)

// kernel 1: one thread per element of dinp (B, NH, T, hs), gathered from dout (B, T, C)
extern "C" __global__ void attention_unpermute_backward1(float* dinp, const float* dout, int B, int T, int NH,
                                                         int hs) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= B * NH * T * hs) {
        return;
    }
    int b = idx / (NH * T * hs);
    int h = idx / (T * hs) % NH;
    int t = idx / hs % T;
    int i = idx % hs;
    dinp[idx] = dout[(size_t)(b * T + t) * NH * hs + h * hs + i];
}
EMERALD_KERNEL(attention_unpermute_backward1)
