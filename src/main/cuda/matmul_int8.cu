// The forward of a linear layer with int8 weights, as Backend.matmulForwardInt8:
// out (N, OC) = inp (N, C) @ (scales * wq)^T + bias (OC), wq (OC, C) int8 with one float scale per row.
// Decoding, a few rows of inp, is bound by reading the weights: matmul_int8_forward1 reads each byte of wq
// once. Longer inputs are bound by multiply-adds: dequantize_int8_1 makes floats of wq for the cuBLAS
// GEMM of the float matmul.
#include "common.cuh"
#include "reduce.cuh"

// The most rows of inp matmul_int8_forward1 takes: its per-row sums are registers.
#define INT8_DECODE_ROWS 8

// One warp per column o of out: the lanes stride over row o of wq (consecutive lanes, consecutive bytes),
// each weight widened once and multiplied into all N rows of inp; each row's sum is reduced by shuffles.
// bias may be null. Launch: 1-D blocks of a multiple of 32 threads, grid ceil(OC * 32 / block), N <= 8.
extern "C" __global__ void matmul_int8_forward1(float* __restrict__ out, const float* __restrict__ inp,
                                                const signed char* __restrict__ wq, const float* __restrict__ scales,
                                                const float* __restrict__ bias, int N, int C, int OC) {
    int lane = threadIdx.x % warpSize;
    int o = (blockIdx.x * blockDim.x + threadIdx.x) / warpSize;
    if (o >= OC) {
        return;  // the warp's lanes all leave together
    }
    const signed char* w = wq + (size_t)o * C;  // (C,)
    float sum[INT8_DECODE_ROWS];
#pragma unroll
    for (int n = 0; n < INT8_DECODE_ROWS; n++) {
        sum[n] = 0.0f;
    }
    for (int c = lane; c < C; c += warpSize) {
        float wc = (float)w[c];
#pragma unroll
        for (int n = 0; n < INT8_DECODE_ROWS; n++) {
            if (n < N) {
                sum[n] += wc * inp[(size_t)n * C + c];
            }
        }
    }
    float scale = scales[o], b = bias != nullptr ? bias[o] : 0.0f;
#pragma unroll
    for (int n = 0; n < INT8_DECODE_ROWS; n++) {
        if (n < N) {  // the same for the whole warp, so every lane reaches the shuffles
            float dot = warp_reduce_sum(sum[n]);
            if (lane == 0) {
                out[(size_t)n * OC + o] = dot * scale + b;
            }
        }
    }
}
EMERALD_KERNEL(matmul_int8_forward1)

// w (OC, C) = scales * wq, as floats: one thread per element. Launch: grid ceil(OC * C / block).
extern "C" __global__ void dequantize_int8_1(float* __restrict__ w, const signed char* __restrict__ wq,
                                             const float* __restrict__ scales, int OC, int C) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= OC * C) {
        return;
    }
    w[idx] = scales[idx / C] * (float)wq[idx];
}
EMERALD_KERNEL(dequantize_int8_1)
