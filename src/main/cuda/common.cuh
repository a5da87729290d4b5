// Included first by every kernel file: CUDA under nvcc; the CPU emulator (native/) under g++ with
// -DEMERALD_EMULATOR, which defines the same names.
#pragma once

#ifdef EMERALD_EMULATOR
#include "cuda_emu.h"
#else
#include <cfloat>
// A kernel's dynamic shared memory, sized by the launch.
#define EMERALD_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
// Registers a kernel with the emulator by name; nothing to do on a GPU.
#define EMERALD_KERNEL(name)
#endif

// bf16 (bfloat16): a float's top 16 bits, stored as unsigned short. Integer bit operations, so that
// nvcc and the emulator's g++ compute the same bits.
// Round to nearest, ties to even, as cuda_bf16.h's __float2bfloat16_rn: adding 0x7fff plus the kept
// half's lowest bit carries into the kept half exactly when the dropped half is above the tie, or at it
// with an odd kept half; a carry out of the largest finite value gives infinity. A NaN becomes the
// canonical NaN 0x7fff (the carry could turn a NaN with a low payload into infinity).
__device__ __forceinline__ unsigned short float_to_bf16(float x) {
    unsigned u = __float_as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return 0x7fff;
    }
    return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// Exact: every bf16 value is a float.
__device__ __forceinline__ float bf16_to_float(unsigned short h) {
    return __uint_as_float((unsigned)h << 16);
}

// Stores a kernel's float result as the output's type: kernels that may write bf16 activations are
// templates over Out, with one extern "C" entry point per type.
__device__ __forceinline__ void store(float* out, float x) {
    *out = x;
}

__device__ __forceinline__ void store(unsigned short* out, float x) {
    *out = float_to_bf16(x);
}
