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
