// Emulator test kernel: the built-in index variables of 3-D grids and blocks.
#include "common.cuh"

// Each thread writes its 12 built-ins (threadIdx, blockIdx, blockDim, gridDim; x, y, z each) at
// its place in x-fastest order: out (threads, 12).
extern "C" __global__ void grid_indices(int* out) {
    int block = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
    int thread = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
    int* o = out + 12 * (block * blockDim.x * blockDim.y * blockDim.z + thread);
    o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
    o[3] = blockIdx.x; o[4] = blockIdx.y; o[5] = blockIdx.z;
    o[6] = blockDim.x; o[7] = blockDim.y; o[8] = blockDim.z;
    o[9] = gridDim.x; o[10] = gridDim.y; o[11] = gridDim.z;
}
EMERALD_KERNEL(grid_indices)
