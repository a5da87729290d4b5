// LayerNorm, as Backend.layernormForward and layernormBackward:
// out (N, C) = (inp - mean) * rstd * weight + bias, saving mean (N) and rstd (N); eps 1e-5.
// The backward accumulates: dinp += (a row's own sums), and dweight +=, dbias += (sums over the N rows,
// deterministic in two stages: partial sums per chunk of rows here, summed in order by
// partial_sums_accumulate1).
#include "common.cuh"
#include "reduce.cuh"

// One warp per row: the lanes stride over C, once for the mean and again for the variance (two
// passes, as the CPU backend, so no E[x^2] - E[x]^2 cancellation). out is float, or bf16 where only
// a GEMM reads it (mixed precision); mean and rstd stay float.
// Launch: 1-D blocks of a multiple of 32 threads, grid ceil(N * 32 / block).
template <typename Out>
__device__ __forceinline__ void layernorm_forward(Out* __restrict__ out, float* __restrict__ mean,
                                                  float* __restrict__ rstd, const float* __restrict__ inp,
                                                  const float* __restrict__ weight, const float* __restrict__ bias,
                                                  int N, int C) {
    int lane = threadIdx.x % warpSize;
    int row = (blockIdx.x * blockDim.x + threadIdx.x) / warpSize;
    if (row >= N) {
        return;  // the warp's lanes all leave together
    }
    const float* x = inp + row * C;  // (C,)
    float sum = 0.0f;
    for (int c = lane; c < C; c += warpSize) {
        sum += x[c];
    }
    float m = warp_reduce_sum(sum) / C;
    float var = 0.0f;
    for (int c = lane; c < C; c += warpSize) {
        float d = x[c] - m;
        var += d * d;
    }
    float s = rsqrtf(warp_reduce_sum(var) / C + 1e-5f);
    Out* o = out + row * C;  // (C,)
    for (int c = lane; c < C; c += warpSize) {
        store(o + c, (x[c] - m) * s * weight[c] + bias[c]);
    }
    if (lane == 0) {
        mean[row] = m;
        rstd[row] = s;
    }
}

// kernel 1: float out
extern "C" __global__ void layernorm_forward1(float* __restrict__ out, float* __restrict__ mean,
                                              float* __restrict__ rstd, const float* __restrict__ inp,
                                              const float* __restrict__ weight, const float* __restrict__ bias,
                                              int N, int C) {
    layernorm_forward(out, mean, rstd, inp, weight, bias, N, C);
}
EMERALD_KERNEL(layernorm_forward1)

// kernel 1 with a bf16 out
extern "C" __global__ void layernorm_forward_bf16_1(unsigned short* __restrict__ out, float* __restrict__ mean,
                                                    float* __restrict__ rstd, const float* __restrict__ inp,
                                                    const float* __restrict__ weight, const float* __restrict__ bias,
                                                    int N, int C) {
    layernorm_forward(out, mean, rstd, inp, weight, bias, N, C);
}
EMERALD_KERNEL(layernorm_forward_bf16_1)

// dinp (N, C) += (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd, with norm = (inp - mean) * rstd
// and dnorm = weight * dout. One warp per row, as the forward: the two row means by warp shuffles.
// Launch: 1-D blocks of a multiple of 32 threads, grid ceil(N * 32 / block).
extern "C" __global__ void layernorm_backward1(float* __restrict__ dinp, const float* __restrict__ dout,
                                               const float* __restrict__ inp, const float* __restrict__ weight,
                                               const float* __restrict__ mean, const float* __restrict__ rstd,
                                               int N, int C) {
    int lane = threadIdx.x % warpSize;
    int row = (blockIdx.x * blockDim.x + threadIdx.x) / warpSize;
    if (row >= N) {
        return;  // the warp's lanes all leave together
    }
    const float* x = inp + (size_t)row * C;  // (C,)
    const float* d = dout + (size_t)row * C;
    float m = mean[row], s = rstd[row];
    float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
    for (int c = lane; c < C; c += warpSize) {
        float dnorm = weight[c] * d[c];
        dnorm_mean += dnorm;
        dnorm_norm_mean += dnorm * ((x[c] - m) * s);
    }
    dnorm_mean = warp_reduce_sum(dnorm_mean) / C;
    dnorm_norm_mean = warp_reduce_sum(dnorm_norm_mean) / C;
    float* dx = dinp + (size_t)row * C;
    for (int c = lane; c < C; c += warpSize) {
        float norm = (x[c] - m) * s;
        dx[c] += (weight[c] * d[c] - dnorm_mean - norm * dnorm_norm_mean) * s;
    }
}
EMERALD_KERNEL(layernorm_backward1)

// The first stage of dbias += colsum(dout) and dweight += colsum(norm * dout): partials (chunks, 2C)
// gets each chunk's sums, dbias's in [0, C), dweight's in [C, 2C). One thread per (column, chunk of
// rows_per_chunk rows), summing its rows in order; consecutive threads read consecutive columns.
// Launch: grid (ceil(C / block), ceil(N / rows_per_chunk)).
extern "C" __global__ void layernorm_param_backward1(float* __restrict__ partials, const float* __restrict__ dout,
                                                     const float* __restrict__ inp, const float* __restrict__ mean,
                                                     const float* __restrict__ rstd, int N, int C,
                                                     int rows_per_chunk) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) {
        return;
    }
    int from = blockIdx.y * rows_per_chunk, to = min(N, from + rows_per_chunk);
    float db = 0.0f, dw = 0.0f;
    for (int i = from; i < to; i++) {
        float g = dout[(size_t)i * C + c];
        db += g;
        dw += (inp[(size_t)i * C + c] - mean[i]) * rstd[i] * g;
    }
    partials[(size_t)blockIdx.y * 2 * C + c] = db;
    partials[(size_t)blockIdx.y * 2 * C + C + c] = dw;
}
EMERALD_KERNEL(layernorm_param_backward1)
