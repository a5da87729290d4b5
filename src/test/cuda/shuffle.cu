// Emulator test kernels: warp shuffles.
#include "common.cuh"

// Every lane gets its warp's sum of in: out (threads,).
extern "C" __global__ void shuffle_warp_sum_xor(float* out, const float* in) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float x = in[i];
    for (int offset = 16; offset > 0; offset /= 2) {
        x += __shfl_xor_sync(0xffffffff, x, offset);
    }
    out[i] = x;
}
EMERALD_KERNEL(shuffle_warp_sum_xor)

// Lane 0 gets its warp's sum of in: out (threads / 32,).
extern "C" __global__ void shuffle_warp_sum_down(float* out, const float* in) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float x = in[i];
    for (int offset = 16; offset > 0; offset /= 2) {
        x += __shfl_down_sync(0xffffffff, x, offset);
    }
    if (threadIdx.x % warpSize == 0) {
        out[i / warpSize] = x;
    }
}
EMERALD_KERNEL(shuffle_warp_sum_down)

// One shuffle of each lane's value of in: mode 0 __shfl_sync, 1 up, 2 down, 3 xor; then a second
// one reading the first's result, so a lane that runs ahead must not clobber what others still read.
extern "C" __global__ void shuffle_lanes(int* out, const int* in, int mode, int arg, int width) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int x = in[i];
    for (int pass = 0; pass < 2; pass++) {
        switch (mode) {
            case 0: x = __shfl_sync(0xffffffff, x, arg, width); break;
            case 1: x = __shfl_up_sync(0xffffffff, x, arg, width); break;
            case 2: x = __shfl_down_sync(0xffffffff, x, arg, width); break;
            default: x = __shfl_xor_sync(0xffffffff, x, arg, width); break;
        }
        out[2 * i + pass] = x;
    }
}
EMERALD_KERNEL(shuffle_lanes)
