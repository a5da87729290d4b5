// The CUDA subset Emerald's kernels are written in, for compiling .cu files with g++ and running
// them on the CPU (native/README.md lists it). Kernel files include it through common.cuh only.
//
// Each CUDA thread of a block is a fiber on one OS thread; the runtime (native/src) switches
// fibers at __syncthreads and at shuffles. Built-ins such as threadIdx read per-OS-thread state
// that the runtime updates on every switch.
#pragma once

#include <atomic>
#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <cstdio>  // printf, as in device code
#include <cstring>
#include <math.h>
#include <type_traits>
#include <utility>

// ---- qualifiers ---------------------------------------------------------------------------------

#define __global__
#define __host__
// static: a file's device functions and variables are its own, as each .cu is its own PTX module
// under nvcc (two files may both define warp_reduce_sum); unused: as nvcc, no warning when a
// file does not use a helper of common.cuh.
#define __device__ static __attribute__((unused))
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
// A block's threads all run on one OS thread, so per-OS-thread storage is per-block storage.
#define __shared__ static thread_local
// __restrict__ is a g++ keyword already.

// ---- built-in variables -------------------------------------------------------------------------

struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
};

namespace emu {

struct Builtins {
    uint3 thread_idx;
    uint3 block_idx;
    dim3 block_dim;
    dim3 grid_dim;
};

extern constinit thread_local Builtins builtins;
extern constinit thread_local void* dynamic_shared;

}  // namespace emu

#define threadIdx (::emu::builtins.thread_idx)
#define blockIdx (::emu::builtins.block_idx)
#define blockDim (::emu::builtins.block_dim)
#define gridDim (::emu::builtins.grid_dim)
constexpr int warpSize = 32;

// Dynamic shared memory (the launch's sharedBytes), declared in a kernel body:
// EMERALD_DYNAMIC_SHARED(float, buf); is extern __shared__ float buf[]; under nvcc.
#define EMERALD_DYNAMIC_SHARED(type, name) type* const name = static_cast<type*>(::emu::dynamic_shared)

// ---- synchronisation ----------------------------------------------------------------------------

namespace emu {

enum class Shfl : int { Idx, Up, Down, Xor };

void syncthreads();

// Exchanges up to 8 bytes between the lanes of a warp; the lane's source follows CUDA's rule for mode.
std::uint64_t shuffle_bits(unsigned mask, std::uint64_t bits, Shfl mode, int arg, int width);

template <typename T>
T shuffle(unsigned mask, T var, Shfl mode, int arg, int width) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(std::uint64_t),
                  "shuffles move values of at most 8 bytes");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &var, sizeof(T));
    bits = shuffle_bits(mask, bits, mode, arg, width);
    std::memcpy(&var, &bits, sizeof(T));
    return var;
}

}  // namespace emu

inline void __syncthreads() {
    emu::syncthreads();
}

template <typename T>
T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize) {
    return emu::shuffle(mask, var, emu::Shfl::Idx, srcLane, width);
}

template <typename T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
    return emu::shuffle(mask, var, emu::Shfl::Up, static_cast<int>(delta), width);
}

template <typename T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
    return emu::shuffle(mask, var, emu::Shfl::Down, static_cast<int>(delta), width);
}

template <typename T>
T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize) {
    return emu::shuffle(mask, var, emu::Shfl::Xor, laneMask, width);
}

// Blocks of a launch run on several OS threads at once; relaxed, as CUDA's atomics.
inline float atomicAdd(float* address, float val) {
    return std::atomic_ref<float>(*address).fetch_add(val, std::memory_order_relaxed);
}

inline int atomicAdd(int* address, int val) {
    return std::atomic_ref<int>(*address).fetch_add(val, std::memory_order_relaxed);
}

// ---- math ---------------------------------------------------------------------------------------

inline float rsqrtf(float x) {
    return 1.0f / sqrtf(x);
}

// Bit casts, as CUDA's intrinsics (bf16 conversions in common.cuh use them).
inline unsigned __float_as_uint(float x) {
    unsigned u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

inline float __uint_as_float(unsigned u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

// Macros: glibc's math.h declares __expf and __logf, but libm does not export them.
#define __expf(x) expf(x)
#define __logf(x) logf(x)
#define __fdividef(x, y) ((x) / (y))

// As CUDA's overloads: with only the int ones, min(x, 1.0f) would silently truncate here.
inline int min(int a, int b) {
    return a < b ? a : b;
}

inline int max(int a, int b) {
    return a > b ? a : b;
}

inline float min(float a, float b) {
    return fminf(a, b);
}

inline float max(float a, float b) {
    return fmaxf(a, b);
}

// ---- kernel registration ------------------------------------------------------------------------

namespace emu {

using Thunk = void (*)(void** params);

// Called during static initialisation by EMERALD_KERNEL; signature as emu_kernel_signature.
bool register_kernel(const char* name, const char* signature, Thunk thunk);

template <typename T>
constexpr char param_code() {
    if constexpr (std::is_pointer_v<T>) {
        return 'p';
    } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, unsigned>) {
        return 'i';
    } else if constexpr (std::is_same_v<T, long long> || std::is_same_v<T, unsigned long long>) {
        return 'l';
    } else if constexpr (std::is_same_v<T, float>) {
        return 'f';
    } else {
        static_assert(sizeof(T) == 0, "kernel parameters are pointers, int, long long or float");
    }
}

template <typename... A>
inline constexpr char signature_text[] = {param_code<A>()..., '\0'};

template <typename... A>
const char* signature(void (*)(A...)) {
    return signature_text<A...>;
}

// Runs one CUDA thread of the kernel: params[i] points at the i-th argument.
template <typename... A>
void invoke(void (*kernel)(A...), void** params) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        kernel(*static_cast<A*>(params[I])...);
    }(std::index_sequence_for<A...>());
}

template <auto Kernel>
void thunk(void** params) {
    invoke(Kernel, params);
}

}  // namespace emu

#define EMERALD_KERNEL(name)                                                                     \
    [[maybe_unused]] static const bool emerald_kernel_##name =                                  \
        ::emu::register_kernel(#name, ::emu::signature(&name), &::emu::thunk<&name>);
