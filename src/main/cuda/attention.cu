// The data movement of the unfused attention (as llm.c's attention_forward): the GEMMs are cuBLAS
// strided-batched calls and the softmax is softmax.cu, so only the layout changes live here.
//   permute:   qkv (B, T, 3, NH, hs) = (B, T, 3C)  ->  q, k, v (B, NH, T, hs), one contiguous (T, hs)
//              matrix per head for the batched GEMMs
//   unpermute: y (B, NH, T, hs)  ->  out (B, T, NH, hs) = (B, T, C)
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
