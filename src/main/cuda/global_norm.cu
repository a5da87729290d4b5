// The global gradient norm and clipping to it: the sum of squares of N floats, accumulated in double
// as the CPU backend's, and x *= s.
#include "common.cuh"
#include "reduce.cuh"

// The first stage of the sum of squares: block b sums the squares of x[b * per_block ..] (its threads
// striding over the range) into partials[b], by a fixed tree; the host sums the partials in order.
// Deterministic: the result depends on per_block and the block size, not on scheduling.
// Launch: grid ceil(N / per_block), 1-D blocks of a multiple of 32 threads.
extern "C" __global__ void global_norm_squared1(double* partials, const float* x, int N, int per_block) {
    __shared__ double shared[32];
    int from = blockIdx.x * per_block, to = min(N, from + per_block);
    double sum = 0.0;
    for (int i = from + threadIdx.x; i < to; i += blockDim.x) {
        double v = x[i];
        sum += v * v;
    }
    sum = block_reduce_sum(sum, shared);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = sum;
    }
}
EMERALD_KERNEL(global_norm_squared1)

// kernel 1: one thread per element, x *= s (gradient clipping)
extern "C" __global__ void scale1(float* x, float s, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    x[i] *= s;
}
EMERALD_KERNEL(scale1)
