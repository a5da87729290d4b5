// Generation with a KV cache: a sequence's keys and values (pos + T, C) are kept layer by layer, so each new
// position runs alone. kv_cache_write copies the new positions' keys and values out of qkv (T, 3C) into the
// cache; cached_attention_forward is the causal attention of the T new queries, at positions pos .. pos + T - 1,
// over the cache: query t sees keys 0 .. pos + t.
#include "common.cuh"
#include "reduce.cuh"

// kernel 1: one thread per element of the new keys (T, C), which copies the value beside it too
extern "C" __global__ void kv_cache_write1(float* keys, float* values, const float* qkv, int T, int C) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= T * C) {
        return;
    }
    const float* row = qkv + (size_t)(idx / C) * 3 * C;
    int c = idx % C;
    keys[idx] = row[C + c];
    values[idx] = row[2 * C + c];
}
EMERALD_KERNEL(kv_cache_write1)

// kernel 1: one warp per (query t, head h), grid (T, NH), 32 threads. The keys go 32 at a time, one per lane:
// each lane scores its key (scaled q . k, q staged in shared memory), then the warp takes the 32 scores' max,
// rescales its running sum and output by exp(old max - new max) (online softmax) and adds the 32 values
// weighted by exp(score - max), broadcast lane by lane. Lane i owns head dims i, i + 32, ... of the output,
// kept in shared memory. Dynamic shared memory: q and the output, 2 * hs floats.
extern "C" __global__ void cached_attention_forward1(float* out, const float* qkv, const float* keys,
                                                     const float* values, int pos, int NH, int hs, float scale) {
    EMERALD_DYNAMIC_SHARED(float, smem);
    float* q = smem;
    float* acc = smem + hs;
    int t = blockIdx.x, h = blockIdx.y, lane = threadIdx.x, C = NH * hs, n = pos + t + 1;
    for (int d = lane; d < hs; d += 32) {
        q[d] = scale * qkv[(size_t)t * 3 * C + h * hs + d];
        acc[d] = 0.0f;
    }
    __syncthreads();
    float m = -FLT_MAX, l = 0.0f;  // the running max and sum of exp(score - m), the same in every lane
    for (int k0 = 0; k0 < n; k0 += 32) {
        int j = k0 + lane;
        float s = -FLT_MAX;
        if (j < n) {
            const float* k = keys + (size_t)j * C + h * hs;
            s = 0.0f;
            for (int d = 0; d < hs; d++) {
                s += q[d] * k[d];
            }
        }
        float mt = warp_reduce_max(fmaxf(m, s));
        float alpha = expf(m - mt);
        float e = j < n ? expf(s - mt) : 0.0f;
        l = l * alpha + warp_reduce_sum(e);
        m = mt;
        for (int d = lane; d < hs; d += 32) {
            acc[d] *= alpha;
        }
        int keys_here = min(32, n - k0);
        for (int i = 0; i < keys_here; i++) {
            float ei = __shfl_sync(0xffffffff, e, i);
            const float* v = values + (size_t)(k0 + i) * C + h * hs;
            for (int d = lane; d < hs; d += 32) {
                acc[d] += ei * v[d];
            }
        }
    }
    float inv = 1.0f / l;
    for (int d = lane; d < hs; d += 32) {
        out[(size_t)t * C + h * hs + d] = acc[d] * inv;
    }
}
EMERALD_KERNEL(cached_attention_forward1)
