// Tiles of the fused causal attention (flash_attention_forward.cu, flash_attention_backward.cu), after
// Dao et al., "FlashAttention" 1 and 2: the (T, T) scores exist only one (TILE, TILE) tile at a time.
//
// Layout. qkv (B, T, 3C) holds q, k, v of head h at columns h*hs, C + h*hs, 2C + h*hs; out, dout
// (B, T, C) at h*hs. A block stages TILE rows (queries or keys) of one head's operand in shared
// memory transposed, as (hs, TILE + 1): the product loops below read a column of TILE consecutive
// floats, and the padding spreads the transposing writes over the banks.
//
// Sizes. TILE * HS_MAX = 2048: 32 rows for hs <= 64, 16 rows for hs <= 128, so that one staged operand
// is at most about 8 KiB and the four or five a kernel stages fit CUDA's 48 KiB of shared memory.
//
// Threads. Every kernel runs FLASH_THREADS = 64 threads as an 8 x 8 grid, ty = threadIdx.x / 8,
// tx = threadIdx.x % 8 (a warp holds 4 values of ty and all 8 of tx):
//   a (TILE, TILE) score tile: thread owns rows ty*RM + i and columns tx + 8j, i, j < RM = TILE / 8;
//   a (TILE, hs) accumulator:  thread owns rows ty*RM + i and head dims tx + 8k, k < DM = HS_MAX / 8.
// So the 8 threads of a row are 8 consecutive lanes of one warp, and row statistics reduce with
// three shuffles. The per-thread arrays have constant sizes and their loops constant trip counts:
// nvcc unrolls them and keeps the arrays in registers (ptxas -v: no stack frame).
#pragma once
#include "common.cuh"
#include "dropout.cuh"

#define FLASH_THREADS 64
// At least one block per SM: ptxas may give a thread all the registers it needs (up to about 190 in
// the backward, with its two accumulators) instead of spilling to fit more blocks; shared memory
// caps the blocks per SM at 3 to 7 anyway.
#define FLASH_LAUNCH_BOUNDS __launch_bounds__(FLASH_THREADS, 1)

template <int TILE>
struct FlashTile {
    static constexpr int LD = TILE + 1;        // floats between staged head dims
    static constexpr int RM = TILE / 8;        // rows (and score columns) per thread
    static constexpr int DM = 2048 / TILE / 8; // head dims per thread, HS_MAX / 8
};

// dst (hs, TILE + 1) = scale * rows row0 .. row0 + TILE of src (row stride ld), 0 past row T.
template <int TILE>
__device__ __forceinline__ void flash_stage(float* dst, const float* src, size_t ld, int row0, int T, int hs,
                                            float scale) {
    // element r * hs + d, consecutive threads along a row; stepping by FLASH_THREADS elements carries
    // d into r, so there is no division per element
    int r = threadIdx.x / hs, d = threadIdx.x % hs;
    int step_r = FLASH_THREADS / hs, step_d = FLASH_THREADS % hs;
    while (r < TILE) {
        int t = row0 + r;
        dst[d * FlashTile<TILE>::LD + r] = t < T ? scale * src[(size_t)t * ld + d] : 0.0f;
        r += step_r;
        d += step_d;
        if (d >= hs) {
            d -= hs;
            r++;
        }
    }
}

// The thread's part of a (TILE, TILE) tile of a b^T over the head dims, both staged:
// s[i][j] = sum over d of a[d][ty*RM + i] * b[d][tx + 8j].
template <int TILE>
__device__ __forceinline__ void flash_scores(float (&s)[FlashTile<TILE>::RM][FlashTile<TILE>::RM], const float* a,
                                             const float* b, int hs) {
    constexpr int LD = FlashTile<TILE>::LD, RM = FlashTile<TILE>::RM;
    int ty = threadIdx.x / 8, tx = threadIdx.x % 8;
    for (int i = 0; i < RM; i++) {
        for (int j = 0; j < RM; j++) {
            s[i][j] = 0.0f;
        }
    }
    for (int d = 0; d < hs; d++) {
        float ai[RM], bj[RM];
        for (int i = 0; i < RM; i++) {
            ai[i] = a[d * LD + ty * RM + i];
        }
        for (int j = 0; j < RM; j++) {
            bj[j] = b[d * LD + tx + 8 * j];
        }
        for (int i = 0; i < RM; i++) {
            for (int j = 0; j < RM; j++) {
                s[i][j] += ai[i] * bj[j];
            }
        }
    }
}

// The thread's part of acc (TILE, hs) += p (TILE, TILE) x^T, p a score tile in shared memory as
// (TILE, TILE + 1), x a staged operand: acc[i][k] += sum over j of p[ty*RM + i][j] * x[tx + 8k][j].
template <int TILE>
__device__ __forceinline__ void flash_accumulate(float (&acc)[FlashTile<TILE>::RM][FlashTile<TILE>::DM],
                                                 const float* p, const float* x, int hs) {
    constexpr int LD = FlashTile<TILE>::LD, RM = FlashTile<TILE>::RM, DM = FlashTile<TILE>::DM;
    int ty = threadIdx.x / 8, tx = threadIdx.x % 8;
    for (int j = 0; j < TILE; j++) {
        float pi[RM];
        for (int i = 0; i < RM; i++) {
            pi[i] = p[(ty * RM + i) * LD + j];
        }
        for (int k = 0; k < DM; k++) {
            int d = tx + 8 * k;
            if (d < hs) {
                float xd = x[d * LD + j];
                for (int i = 0; i < RM; i++) {
                    acc[i][k] += pi[i] * xd;
                }
            }
        }
    }
}

// Writes the thread's rows of acc, times scale, into rows row0 + ty*RM + i < T of dst (row stride ld).
template <int TILE>
__device__ __forceinline__ void flash_store(float* dst, size_t ld, int row0, int T, int hs,
                                            const float (&acc)[FlashTile<TILE>::RM][FlashTile<TILE>::DM], float scale) {
    constexpr int RM = FlashTile<TILE>::RM, DM = FlashTile<TILE>::DM;
    int ty = threadIdx.x / 8, tx = threadIdx.x % 8;
    for (int i = 0; i < RM; i++) {
        int t = row0 + ty * RM + i;
        for (int k = 0; k < DM; k++) {
            int d = tx + 8 * k;
            if (t < T && d < hs) {
                dst[(size_t)t * ld + d] = scale * acc[i][k];
            }
        }
    }
}

// Element (t, t2) of the causal (T, T) attention of head (b, h): whether query t sees key t2, and the
// index of its dropout mask, as CpuBackend numbers them.
__device__ __forceinline__ bool flash_visible(int t, int t2, int T) {
    return t2 <= t && t < T;
}

__device__ __forceinline__ unsigned long long flash_dropout_index(int b, int h, int NH, int T, int t, int t2) {
    return ((unsigned long long)(b * NH + h) * T + t) * T + t2;
}
