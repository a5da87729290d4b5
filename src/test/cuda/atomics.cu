// Emulator test kernels: atomicAdd from the blocks of a launch, which run on several OS threads.
#include "common.cuh"

// *count += 1 from every thread.
extern "C" __global__ void atomics_count(int* count) {
    atomicAdd(count, 1);
}
EMERALD_KERNEL(atomics_count)

// *total += in[i] from every thread i < n.
extern "C" __global__ void atomics_sum(float* total, const float* in, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        atomicAdd(total, in[i]);
    }
}
EMERALD_KERNEL(atomics_sum)
