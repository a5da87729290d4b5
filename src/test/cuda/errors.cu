// Emulator test kernels: misuses that fail the launch with a message instead of hanging.
#include "common.cuh"

// Thread 5 leaves before a barrier the others wait at.
extern "C" __global__ void errors_partial_barrier(int* out) {
    if (threadIdx.x == 5) {
        return;
    }
    __syncthreads();
    out[threadIdx.x] = 1;
}
EMERALD_KERNEL(errors_partial_barrier)

// Only half of each warp shuffles.
extern "C" __global__ void errors_partial_shuffle(float* out) {
    if (threadIdx.x % warpSize < 16) {
        out[threadIdx.x] = __shfl_down_sync(0xffffffff, 1.0f, 1);
    }
}
EMERALD_KERNEL(errors_partial_shuffle)

// A half-warp mask, which the emulator does not support.
extern "C" __global__ void errors_shuffle_mask(float* out) {
    out[threadIdx.x] = __shfl_xor_sync(0x0000ffff, 1.0f, 1);
}
EMERALD_KERNEL(errors_shuffle_mask)

// The two halves of each warp at different shuffles.
extern "C" __global__ void errors_divergent_shuffles(float* out) {
    if (threadIdx.x % warpSize < 16) {
        out[threadIdx.x] = __shfl_xor_sync(0xffffffff, 1.0f, 1);
    } else {
        out[threadIdx.x] = __shfl_down_sync(0xffffffff, 2.0f, 1);
    }
}
EMERALD_KERNEL(errors_divergent_shuffles)
