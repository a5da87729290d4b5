// Fused causal self-attention, backward: dqkv (B, T, 3C) from dout, out (B, T, C), qkv and the
// forward's lse (B, NH, T), recomputing the probabilities tile by tile. With s = scale q.k,
// P = exp(s - lse), Z the dropout factors (0 or 1 / (1 - p)) and dP = dout v^T:
//   dv = (P Z)^T dout,   dS = P (dP Z - D),   dq = scale dS k,   dk = scale dS^T q,
// where D = rowsum(dP Z P) = rowsum(dout * out) (flash_attention_backward_rowdot).
// Deterministic: no atomics. dk and dv come from one block per key tile that loops over the query
// tiles, dq from one block per query tile that loops over the key tiles, so every sum has one
// owner and a fixed order; the scores and dP are computed twice, once in each.
// Tiles, thread layout and shared memory: flash_attention.cuh.
#include "common.cuh"
#include "flash_attention.cuh"

// D (B, NH, T) = rowsum(dout * out) per head: one warp per (b, t, h), lanes over the head dims.
extern "C" __global__ void flash_attention_backward_rowdot(float* D, const float* dout, const float* out, int B, int T,
                                                           int NH, int hs) {
    int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;  // (b * T + t) * NH + h
    int lane = threadIdx.x % 32;
    if (row >= B * T * NH) {
        return;  // whole warps return together: the shuffles below see full warps
    }
    const float* x = dout + (size_t)row * hs;
    const float* y = out + (size_t)row * hs;
    float sum = 0.0f;
    for (int d = lane; d < hs; d += 32) {
        sum += x[d] * y[d];
    }
    for (int offset = 16; offset > 0; offset /= 2) {
        sum += __shfl_xor_sync(0xffffffff, sum, offset);
    }
    if (lane == 0) {
        int h = row % NH, t = row / NH % T, b = row / NH / T;
        D[((size_t)b * NH + h) * T + t] = sum;
    }
}
EMERALD_KERNEL(flash_attention_backward_rowdot)

// One block per (key tile, head, batch); keys are the score tile's rows here, queries its columns.
// Stages k and v once; for each query tile at or below the diagonal stages q (times scale), dout
// and the rows' lse and D, then accumulates dv += (P Z)^T dout and dk += dS^T (scale q) in registers.
// Shared memory: k, v, q, dout staged (4 * hs * (TILE + 1)), P Z and dS tiles (2 * TILE * (TILE + 1)),
// lse and D of the query tile (2 * TILE).
template <int TILE>
__device__ __forceinline__ void flash_backward_dkdv(float* smem, float* dqkv, const float* dout, const float* qkv,
                                                    const float* lse, const float* D, int T, int NH, int hs,
                                                    float scale, float p, unsigned long long seed,
                                                    unsigned long long stream) {
    using F = FlashTile<TILE>;
    constexpr int LD = F::LD, RM = F::RM, DM = F::DM;
    float* ks = smem;
    float* vs = ks + hs * LD;
    float* qs = vs + hs * LD;
    float* dos = qs + hs * LD;
    float* pz = dos + hs * LD;  // (P Z)^T (keys, queries)
    float* ds = pz + TILE * LD; // dS^T
    float* lses = ds + TILE * LD;
    float* Ds = lses + TILE;
    int ty = threadIdx.x / 8, tx = threadIdx.x % 8;
    int tile = blockIdx.x, h = blockIdx.y, b = blockIdx.z;  // the first key tiles have the most query tiles
    int C = NH * hs, k0 = tile * TILE, tiles = (T + TILE - 1) / TILE;
    const float* head = qkv + (size_t)b * T * 3 * C + h * hs;
    const float* dhead = dout + (size_t)b * T * C + h * hs;
    const float* stats = lse + ((size_t)b * NH + h) * T;
    const float* Dhead = D + ((size_t)b * NH + h) * T;

    flash_stage<TILE>(ks, head + C, 3 * C, k0, T, hs, 1.0f);
    flash_stage<TILE>(vs, head + 2 * C, 3 * C, k0, T, hs, 1.0f);
    float dk[RM][DM], dv[RM][DM];
    for (int i = 0; i < RM; i++) {
        for (int k = 0; k < DM; k++) {
            dk[i][k] = 0.0f;
            dv[i][k] = 0.0f;
        }
    }

    for (int qt = tile; qt < tiles; qt++) {
        int q0 = qt * TILE;
        __syncthreads();  // the previous query tile is read
        flash_stage<TILE>(qs, head, 3 * C, q0, T, hs, scale);
        flash_stage<TILE>(dos, dhead, C, q0, T, hs, 1.0f);
        for (int r = threadIdx.x; r < TILE; r += FLASH_THREADS) {
            lses[r] = q0 + r < T ? stats[q0 + r] : 0.0f;
            Ds[r] = q0 + r < T ? Dhead[q0 + r] : 0.0f;
        }
        __syncthreads();

        float s[RM][RM], dp[RM][RM];
        flash_scores<TILE>(s, ks, qs, hs);
        flash_scores<TILE>(dp, vs, dos, hs);
        for (int i = 0; i < RM; i++) {
            int t2 = k0 + ty * RM + i;
            for (int j = 0; j < RM; j++) {
                int r = tx + 8 * j, t = q0 + r;
                float P = flash_visible(t, t2, T) ? expf(s[i][j] - lses[r]) : 0.0f;
                float z = dropout_scale(p, seed, stream, flash_dropout_index(b, h, NH, T, t, t2));
                pz[(ty * RM + i) * LD + r] = P * z;
                ds[(ty * RM + i) * LD + r] = P * (dp[i][j] * z - Ds[r]);
            }
        }
        __syncthreads();
        flash_accumulate<TILE>(dv, pz, dos, hs);
        flash_accumulate<TILE>(dk, ds, qs, hs);
    }
    float* dhead_kv = dqkv + (size_t)b * T * 3 * C + h * hs;
    flash_store<TILE>(dhead_kv + C, 3 * C, k0, T, hs, dk, 1.0f);
    flash_store<TILE>(dhead_kv + 2 * C, 3 * C, k0, T, hs, dv, 1.0f);
}

// One block per (query tile, head, batch). Stages q (times scale) and dout once; for each key tile at
// or left of the diagonal stages k and v, recomputes P and dS and accumulates dq += dS k in registers.
// Shared memory: q, dout, k, v staged (4 * hs * (TILE + 1)) and a dS tile (TILE * (TILE + 1)).
template <int TILE>
__device__ __forceinline__ void flash_backward_dq(float* smem, float* dqkv, const float* dout, const float* qkv,
                                                  const float* lse, const float* D, int T, int NH, int hs,
                                                  float scale, float p, unsigned long long seed,
                                                  unsigned long long stream) {
    using F = FlashTile<TILE>;
    constexpr int LD = F::LD, RM = F::RM, DM = F::DM;
    float* qs = smem;
    float* dos = qs + hs * LD;
    float* ks = dos + hs * LD;
    float* vs = ks + hs * LD;
    float* ds = vs + hs * LD;
    int ty = threadIdx.x / 8, tx = threadIdx.x % 8;
    int tile = gridDim.x - 1 - blockIdx.x, h = blockIdx.y, b = blockIdx.z;  // the longest first
    int C = NH * hs, q0 = tile * TILE;
    const float* head = qkv + (size_t)b * T * 3 * C + h * hs;

    flash_stage<TILE>(qs, head, 3 * C, q0, T, hs, scale);
    flash_stage<TILE>(dos, dout + (size_t)b * T * C + h * hs, C, q0, T, hs, 1.0f);
    float rowLse[RM], rowD[RM], dq[RM][DM];
    for (int i = 0; i < RM; i++) {
        int t = q0 + ty * RM + i;
        rowLse[i] = t < T ? lse[((size_t)b * NH + h) * T + t] : 0.0f;
        rowD[i] = t < T ? D[((size_t)b * NH + h) * T + t] : 0.0f;
        for (int k = 0; k < DM; k++) {
            dq[i][k] = 0.0f;
        }
    }

    for (int kt = 0; kt <= tile; kt++) {
        int k0 = kt * TILE;
        __syncthreads();  // the previous key tile and dS are read
        flash_stage<TILE>(ks, head + C, 3 * C, k0, T, hs, 1.0f);
        flash_stage<TILE>(vs, head + 2 * C, 3 * C, k0, T, hs, 1.0f);
        __syncthreads();

        float s[RM][RM], dp[RM][RM];
        flash_scores<TILE>(s, qs, ks, hs);
        flash_scores<TILE>(dp, dos, vs, hs);
        for (int i = 0; i < RM; i++) {
            int t = q0 + ty * RM + i;
            for (int j = 0; j < RM; j++) {
                int t2 = k0 + tx + 8 * j;
                float P = flash_visible(t, t2, T) ? expf(s[i][j] - rowLse[i]) : 0.0f;
                float z = dropout_scale(p, seed, stream, flash_dropout_index(b, h, NH, T, t, t2));
                ds[(ty * RM + i) * LD + tx + 8 * j] = P * (dp[i][j] * z - rowD[i]);
            }
        }
        __syncthreads();
        flash_accumulate<TILE>(dq, ds, ks, hs);
    }
    flash_store<TILE>(dqkv + (size_t)b * T * 3 * C + h * hs, 3 * C, q0, T, hs, dq, scale);
}

// One kernel of each per tile size; the launch picks by head size and passes the shared memory size.
#define FLASH_BACKWARD(name, body, TILE)                                                                 \
    extern "C" __global__ void FLASH_LAUNCH_BOUNDS                                                       \
        name(float* dqkv, const float* dout, const float* qkv, const float* lse, const float* D, int T,  \
             int NH, int hs, float scale, float p, unsigned long long seed, unsigned long long stream) { \
        EMERALD_DYNAMIC_SHARED(float, smem);                                                             \
        body<TILE>(smem, dqkv, dout, qkv, lse, D, T, NH, hs, scale, p, seed, stream);                    \
    }                                                                                                    \
    EMERALD_KERNEL(name)

FLASH_BACKWARD(flash_attention_backward_dkdv_hs64, flash_backward_dkdv, 32)
FLASH_BACKWARD(flash_attention_backward_dkdv_hs128, flash_backward_dkdv, 16)
FLASH_BACKWARD(flash_attention_backward_dq_hs64, flash_backward_dq, 32)
FLASH_BACKWARD(flash_attention_backward_dq_hs128, flash_backward_dq, 16)
