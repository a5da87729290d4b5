// The bias of a linear layer, added after the cuBLAS GEMM out = inp @ w^T: out (N, OC) += bias (OC).
#include "common.cuh"

// kernel 1: one thread per output element
extern "C" __global__ void bias_forward1(float* out, const float* bias, int N, int OC) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= N * OC) {
        return;
    }
    out[idx] += bias[idx % OC];
}
EMERALD_KERNEL(bias_forward1)
