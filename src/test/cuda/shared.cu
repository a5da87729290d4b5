// Emulator test kernels: static and dynamic shared memory, private to each block.
#include "common.cuh"

// Reverses each block's slice of in (blocks of up to 256 threads).
extern "C" __global__ void shared_reverse_static(float* out, const float* in) {
    __shared__ float slice[256];
    int base = blockIdx.x * blockDim.x;
    slice[threadIdx.x] = in[base + threadIdx.x];
    __syncthreads();
    out[base + threadIdx.x] = slice[blockDim.x - 1 - threadIdx.x];
}
EMERALD_KERNEL(shared_reverse_static)

// As shared_reverse_static, in blockDim.x floats of dynamic shared memory.
extern "C" __global__ void shared_reverse_dynamic(float* out, const float* in) {
    EMERALD_DYNAMIC_SHARED(float, slice);
    int base = blockIdx.x * blockDim.x;
    slice[threadIdx.x] = in[base + threadIdx.x];
    __syncthreads();
    out[base + threadIdx.x] = slice[blockDim.x - 1 - threadIdx.x];
}
EMERALD_KERNEL(shared_reverse_dynamic)
