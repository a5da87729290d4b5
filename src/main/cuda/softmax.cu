// Fused scale + causal mask + softmax over attention scores, the middle step of the unfused attention:
// inp, out (B, NH, T, T) seen as N = B * NH * T rows of length T; row n belongs to query t = n % T,
// which sees keys 0..t:
//   out[n][j] = exp(scale * inp[n][j] - max) / sum   for j <= t,   0 for j > t (masked).
// Each element is read and written by the same thread, so the kernel may run in place (out == inp).
// The backward, from the probabilities att and their gradient datt (same rows):
//   dpreatt[n][j] = scale * att[n][j] * (datt[n][j] - sum_i att[n][i] datt[n][i])   for j <= t,   0 for j > t,
// also in place (dpreatt == datt) for the same reason.
#include "common.cuh"
#include "reduce.cuh"

// kernel 1: one block per row. Each thread keeps a running max and sum (online softmax) over its
// strided slice of the row's valid part; warp shuffles, then shared memory merge the block's threads;
// a second pass writes the probabilities and the zeros of the mask.
extern "C" __global__ void softmax_forward1(float* out, const float* inp, float scale, int N, int T) {
    __shared__ float shared_m[32];
    __shared__ float shared_s[32];
    int row = blockIdx.x;
    if (row >= N) {
        return;
    }
    int t = row % T;
    const float* x = inp + (size_t)row * T;
    float* y = out + (size_t)row * T;

    float m = -FLT_MAX, s = 0.0f;
    for (int j = threadIdx.x; j <= t; j += blockDim.x) {
        online_softmax_add(m, s, scale * x[j]);
    }
    block_online_softmax(m, s, shared_m, shared_s);

    float inv = 1.0f / s;
    for (int j = threadIdx.x; j < T; j += blockDim.x) {
        y[j] = j <= t ? expf(scale * x[j] - m) * inv : 0.0f;
    }
}
EMERALD_KERNEL(softmax_forward1)

// kernel 1: one block per row: a block-wide sum (fixed order) of att * datt over the row's valid part,
// then one pass writing the gradient of the scores and the zeros of the mask.
extern "C" __global__ void softmax_backward1(float* dpreatt, const float* datt, const float* att, float scale,
                                             int N, int T) {
    __shared__ float shared[32];
    int row = blockIdx.x;
    if (row >= N) {
        return;
    }
    int t = row % T;
    const float* a = att + (size_t)row * T;
    const float* da = datt + (size_t)row * T;
    float* dx = dpreatt + (size_t)row * T;

    float dot = 0.0f;
    for (int j = threadIdx.x; j <= t; j += blockDim.x) {
        dot += a[j] * da[j];
    }
    dot = block_reduce_sum(dot, shared);

    for (int j = threadIdx.x; j < T; j += blockDim.x) {
        dx[j] = j <= t ? a[j] * (da[j] - dot) * scale : 0.0f;
    }
}
EMERALD_KERNEL(softmax_backward1)
