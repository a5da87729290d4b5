// LayerNorm forward, as Backend.layernormForward:
// out (N, C) = (inp - mean) * rstd * weight + bias, saving mean (N) and rstd (N); eps 1e-5.
#include "common.cuh"

// Sum over the warp's 32 lanes, left in every lane.
__device__ __forceinline__ float warp_reduce_sum(float x) {
    for (int offset = 16; offset > 0; offset /= 2) {
        x += __shfl_xor_sync(0xffffffff, x, offset);
    }
    return x;
}

// One warp per row: the lanes stride over C, once for the mean and again for the variance (two
// passes, as the CPU backend, so no E[x^2] - E[x]^2 cancellation).
// Launch: 1-D blocks of a multiple of 32 threads, grid ceil(N * 32 / block).
extern "C" __global__ void layernorm_forward1(float* __restrict__ out, float* __restrict__ mean,
                                              float* __restrict__ rstd, const float* __restrict__ inp,
                                              const float* __restrict__ weight, const float* __restrict__ bias,
                                              int N, int C) {
    int lane = threadIdx.x % warpSize;
    int row = (blockIdx.x * blockDim.x + threadIdx.x) / warpSize;
    if (row >= N) {
        return;  // the warp's lanes all leave together
    }
    const float* x = inp + row * C;  // (C,)
    float sum = 0.0f;
    for (int c = lane; c < C; c += warpSize) {
        sum += x[c];
    }
    float m = warp_reduce_sum(sum) / C;
    float var = 0.0f;
    for (int c = lane; c < C; c += warpSize) {
        float d = x[c] - m;
        var += d * d;
    }
    float s = rsqrtf(warp_reduce_sum(var) / C + 1e-5f);
    float* o = out + row * C;  // (C,)
    for (int c = lane; c < C; c += warpSize) {
        o[c] = (x[c] - m) * s * weight[c] + bias[c];
    }
    if (lane == 0) {
        mean[row] = m;
        rstd[row] = s;
    }
}
EMERALD_KERNEL(layernorm_forward1)
