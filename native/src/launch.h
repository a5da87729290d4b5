// What the blocks of one launch share.
#pragma once

#include "cuda_emu.h"

#include <string>

namespace emu {

struct Launch {
    const char* kernel;
    Thunk thunk;
    void** params;
    dim3 grid;
    dim3 block;
    unsigned shared_bytes;
};

// Runs every thread of one block on the calling OS thread. On a misused barrier or shuffle,
// abandons the block and returns false with the reason in error.
bool run_block(const Launch& launch, uint3 block_idx, std::string& error);

}  // namespace emu
