// Device memory is host memory: the C API hands out aligned heap blocks.
#include "emerald_emu.h"
#include "error.h"

#include <cstdlib>
#include <cstring>

namespace {

// cudaMalloc's alignment, which vectorised kernels rely on.
constexpr std::size_t ALIGN = 256;

}  // namespace

void* emu_malloc(size_t bytes) {
    std::size_t rounded = bytes == 0 ? ALIGN : (bytes + ALIGN - 1) / ALIGN * ALIGN;
    void* ptr = rounded >= bytes ? std::aligned_alloc(ALIGN, rounded) : nullptr;
    if (ptr == nullptr) {
        emu::set_error("out of host memory allocating " + std::to_string(bytes) + " bytes of emulated device memory");
    }
    return ptr;
}

void emu_free(void* ptr) {
    std::free(ptr);
}

void emu_memcpy(void* dst, const void* src, size_t bytes) {
    std::memmove(dst, src, bytes);
}

void emu_memset(void* dst, int value, size_t bytes) {
    std::memset(dst, value, bytes);
}
