// Emulator test kernels: __syncthreads and static shared memory.
#include "common.cuh"

// out[block] = sum of the block's slice of in, by a tree in shared memory; any block size up to
// 1024, also one that is not a multiple of 32 (no shuffles).
extern "C" __global__ void barrier_block_sum(float* out, const float* in, int n) {
    __shared__ float partial[1024];
    int t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    partial[t] = i < n ? in[i] : 0.0f;
    __syncthreads();
    int half = 1;
    while (half * 2 < blockDim.x) {
        half *= 2;
    }
    for (; half > 0; half /= 2) {
        if (t < half && t + half < blockDim.x) {
            partial[t] += partial[t + half];
        }
        __syncthreads();
    }
    if (t == 0) {
        out[blockIdx.x] = partial[0];
    }
}
EMERALD_KERNEL(barrier_block_sum)

// Each round one thread writes a token that all others must see after the barrier; errors[block]
// counts the threads that did not. 2 * rounds barriers: also the fiber-switch benchmark.
extern "C" __global__ void barrier_rounds(int* errors, int rounds) {
    __shared__ int token;
    int wrong = 0;
    for (int r = 0; r < rounds; r++) {
        if (threadIdx.x == r % blockDim.x) {
            token = r;
        }
        __syncthreads();
        wrong += token != r;
        __syncthreads();
    }
    atomicAdd(&errors[blockIdx.x], wrong);
}
EMERALD_KERNEL(barrier_rounds)
