// Mixed precision: the bf16 copies that the GEMMs read (weights once per forward, activations by
// chunks of rows), rounded to nearest, ties to even (float_to_bf16 in common.cuh).
#include "common.cuh"

// kernel 1: one thread per element
extern "C" __global__ void bf16_from_float1(unsigned short* out, const float* inp, int N) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    out[i] = float_to_bf16(inp[i]);
}
EMERALD_KERNEL(bf16_from_float1)
