// Block and warp reductions in a fixed order (butterflies and a fixed tree, no atomics), so that a
// result does not change from run to run; and the online softmax statistics.
#pragma once
#include "common.cuh"

// Sum over the warp's 32 lanes, left in every lane (bit-identical in all: the butterfly's adds differ
// only in operand order, which float addition ignores).
template <typename T>
__device__ __forceinline__ T warp_reduce_sum(T x) {
    for (int offset = 16; offset > 0; offset /= 2) {
        x += __shfl_xor_sync(0xffffffff, x, offset);
    }
    return x;
}

// Max over the warp's 32 lanes, left in every lane.
__device__ __forceinline__ float warp_reduce_max(float x) {
    for (int offset = 16; offset > 0; offset /= 2) {
        x = fmaxf(x, __shfl_xor_sync(0xffffffff, x, offset));
    }
    return x;
}

// Sum over the block, left in every thread. blockDim.x is a multiple of 32; shared is 32 values of the
// kernel's shared memory, used once per kernel (a second call would need a __syncthreads() before it).
template <typename T>
__device__ __forceinline__ T block_reduce_sum(T x, T* shared) {
    x = warp_reduce_sum(x);
    int warps = blockDim.x / 32;
    if (warps == 1) {
        return x;
    }
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) {
        shared[warp] = x;
    }
    __syncthreads();
    // every warp sums the per-warp results itself, so no broadcast step is needed
    return warp_reduce_sum(lane < warps ? shared[lane] : (T)0);
}

// Online softmax statistics: the (max, sum of exp(x - max)) of a set of values, kept while the values
// stream in and merged across threads, so a row needs one read before the normalising pass
// (Milakov & Gimelshein, "Online normalizer calculation for softmax"). Empty sets are
// (-FLT_MAX, 0), not -INFINITY, so that merging two empty sets gives no NaN.
__device__ __forceinline__ void online_softmax_add(float& m, float& s, float x) {
    if (x > m) {
        s = s * expf(m - x) + 1.0f;
        m = x;
    } else {
        s += expf(x - m);
    }
}

__device__ __forceinline__ void online_softmax_merge(float& m, float& s, float m2, float s2) {
    float mm = fmaxf(m, m2);
    s = s * expf(m - mm) + s2 * expf(m2 - mm);
    m = mm;
}

// butterfly over the warp: every lane ends with the same (bit-identical) statistics
__device__ __forceinline__ void warp_online_softmax(float& m, float& s) {
    for (int offset = 16; offset > 0; offset /= 2) {
        float m2 = __shfl_xor_sync(0xffffffff, m, offset);
        float s2 = __shfl_xor_sync(0xffffffff, s, offset);
        online_softmax_merge(m, s, m2, s2);
    }
}

// Merges the statistics of every thread of the block; every thread ends with the block's result.
// blockDim.x is a multiple of 32; shared_m and shared_s are 32 floats of the kernel's shared memory,
// used once per kernel (a second call would need a __syncthreads() before it).
__device__ __forceinline__ void block_online_softmax(float& m, float& s, float* shared_m, float* shared_s) {
    warp_online_softmax(m, s);
    int warps = blockDim.x / 32;
    if (warps == 1) {
        return;
    }
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) {
        shared_m[warp] = m;
        shared_s[warp] = s;
    }
    __syncthreads();
    // every warp merges the per-warp results itself, so no broadcast step is needed
    m = lane < warps ? shared_m[lane] : -FLT_MAX;
    s = lane < warps ? shared_s[lane] : 0.0f;
    warp_online_softmax(m, s);
}
