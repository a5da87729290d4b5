// The kernels of this library, registered by EMERALD_KERNEL.
#pragma once

#include "cuda_emu.h"

namespace emu {

struct Kernel {
    const char* name;
    const char* signature;
    Thunk thunk;
};

// nullptr if no kernel has that name.
const Kernel* find_kernel(const char* name);

}  // namespace emu
