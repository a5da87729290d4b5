// Fused causal self-attention, forward: out (B, T, C) straight from qkv (B, T, 3C), never holding more
// than a (TILE, TILE) tile of the scores, and lse (B, NH, T), each row's logsumexp of the scaled
// scores, from which the backward recomputes the probabilities. Dropout p on the probabilities
// (mask from dropout.cuh, index as CpuBackend's) scales kept ones by 1 / (1 - p).
// Tiles, thread layout and shared memory: flash_attention.cuh.
#include "common.cuh"
#include "flash_attention.cuh"

// One block per (query tile, head, batch). For each key tile at or left of the diagonal (tiles right
// of it are fully masked and skipped): stage k and v, scores s = scale q.k, causal mask, then the
// online softmax: a new row max m rescales the running sum l and the output accumulator by
// exp(m_old - m), so one pass suffices. Each of a row's 8 threads keeps l over its own columns; the
// partial sums share the row's max, so they add up at the end.
// Shared memory: q, k, v staged (3 * hs * (TILE + 1) floats) and a probability tile (TILE * (TILE + 1)).
template <int TILE>
__device__ __forceinline__ void flash_forward(float* smem, float* out, float* lse, const float* qkv, int T, int NH,
                                              int hs, float scale, float p, unsigned long long seed,
                                              unsigned long long stream) {
    using F = FlashTile<TILE>;
    constexpr int LD = F::LD, RM = F::RM, DM = F::DM;
    float* qs = smem;
    float* ks = qs + hs * LD;
    float* vs = ks + hs * LD;
    float* ps = vs + hs * LD;
    int ty = threadIdx.x / 8, tx = threadIdx.x % 8;
    // the last query tiles have the most key tiles: start them first
    int tile = gridDim.x - 1 - blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    int C = NH * hs, q0 = tile * TILE;
    const float* head = qkv + (size_t)b * T * 3 * C + h * hs;

    flash_stage<TILE>(qs, head, 3 * C, q0, T, hs, scale);
    float m[RM], l[RM], o[RM][DM];
    for (int i = 0; i < RM; i++) {
        m[i] = -INFINITY;
        l[i] = 0.0f;
        for (int k = 0; k < DM; k++) {
            o[i][k] = 0.0f;
        }
    }

    for (int kt = 0; kt <= tile; kt++) {
        int k0 = kt * TILE;
        __syncthreads();  // the previous tile's k, v and probabilities are read
        flash_stage<TILE>(ks, head + C, 3 * C, k0, T, hs, 1.0f);
        flash_stage<TILE>(vs, head + 2 * C, 3 * C, k0, T, hs, 1.0f);
        __syncthreads();

        float s[RM][RM];
        flash_scores<TILE>(s, qs, ks, hs);
        for (int i = 0; i < RM; i++) {
            int t = q0 + ty * RM + i;
            float mt = m[i];
            for (int j = 0; j < RM; j++) {
                s[i][j] = flash_visible(t, k0 + tx + 8 * j, T) ? s[i][j] : -INFINITY;
                mt = fmaxf(mt, s[i][j]);
            }
            for (int offset = 4; offset > 0; offset /= 2) {
                mt = fmaxf(mt, __shfl_xor_sync(0xffffffff, mt, offset));
            }
            // every valid row sees key 0 in tile 0, so mt is finite from there on; rows past T are
            // masked whole and keep mt = -inf: alpha would be NaN, and nothing of theirs is written
            float alpha = mt == -INFINITY ? 1.0f : expf(m[i] - mt);
            m[i] = mt;
            l[i] *= alpha;
            for (int k = 0; k < DM; k++) {
                o[i][k] *= alpha;
            }
            for (int j = 0; j < RM; j++) {
                int t2 = k0 + tx + 8 * j;
                float e = s[i][j] == -INFINITY ? 0.0f : expf(s[i][j] - mt);
                l[i] += e;
                ps[(ty * RM + i) * LD + tx + 8 * j] = e * dropout_scale(p, seed, stream, flash_dropout_index(b, h, NH, T, t, t2));
            }
        }
        __syncthreads();
        flash_accumulate<TILE>(o, ps, vs, hs);
    }

    for (int i = 0; i < RM; i++) {
        for (int offset = 4; offset > 0; offset /= 2) {
            l[i] += __shfl_xor_sync(0xffffffff, l[i], offset);
        }
        int t = q0 + ty * RM + i;
        if (tx == 0 && t < T) {
            lse[((size_t)b * NH + h) * T + t] = m[i] + logf(l[i]);
        }
        float inv = 1.0f / l[i];
        for (int k = 0; k < DM; k++) {
            o[i][k] *= inv;
        }
    }
    flash_store<TILE>(out + (size_t)b * T * C + h * hs, C, q0, T, hs, o, 1.0f);
}

// One kernel per tile size; the launch picks by head size and passes the shared memory size.
#define FLASH_FORWARD(name, TILE)                                                                   \
    extern "C" __global__ void FLASH_LAUNCH_BOUNDS                                                  \
        name(float* out, float* lse, const float* qkv, int T, int NH, int hs, float scale, float p, \
             unsigned long long seed, unsigned long long stream) {                                  \
        EMERALD_DYNAMIC_SHARED(float, smem);                                                        \
        flash_forward<TILE>(smem, out, lse, qkv, T, NH, hs, scale, p, seed, stream);                \
    }                                                                                               \
    EMERALD_KERNEL(name)

FLASH_FORWARD(flash_attention_forward_hs64, 32)
FLASH_FORWARD(flash_attention_forward_hs128, 16)
