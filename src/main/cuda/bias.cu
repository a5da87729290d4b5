// The bias of a linear layer, added after the cuBLAS GEMM out = inp @ w^T: out (N, OC) += bias (OC);
// its gradient dbias (OC) += colsum(dout), deterministic in two stages: partial sums per chunk of rows
// here, summed in order by partial_sums_accumulate1.
#include "common.cuh"

// kernel 1: one thread per output element
extern "C" __global__ void bias_forward1(float* out, const float* bias, int N, int OC) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= N * OC) {
        return;
    }
    out[idx] += bias[idx % OC];
}
EMERALD_KERNEL(bias_forward1)

// The first stage of dbias += colsum(dout): partials (chunks, OC) gets each chunk's column sums. One
// thread per (column, chunk of rows_per_chunk rows), summing its rows in order; consecutive threads
// read consecutive columns. Launch: grid (ceil(OC / block), ceil(N / rows_per_chunk)).
extern "C" __global__ void bias_backward1(float* partials, const float* dout, int N, int OC, int rows_per_chunk) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= OC) {
        return;
    }
    int from = blockIdx.y * rows_per_chunk, to = min(N, from + rows_per_chunk);
    float sum = 0.0f;
    for (int i = from; i < to; i++) {
        sum += dout[(size_t)i * OC + c];
    }
    partials[(size_t)blockIdx.y * OC + c] = sum;
}
EMERALD_KERNEL(bias_backward1)
