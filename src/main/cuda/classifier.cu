// Fused softmax + cross-entropy of the classifier: logits (N, V) become probabilities in place and
//   losses[n] = -log(probs[n][targets[n]]),   0 for an ignored row (targets[n] < 0).
// V can be large (50304 for GPT-2) and need not be a multiple of the block size.
// The backward: dlogits (N, V) = (probs - onehot(targets)) * dloss, 0 for an ignored row.
#include "common.cuh"
#include "reduce.cuh"

// kernel 1: one block per row, online softmax over strided slices of the row (one read), merged by
// warp shuffles and across the block's warps; the normalising pass writes the probabilities, and the
// thread that writes the target's probability writes the row's loss.
extern "C" __global__ void classifier_forward1(float* losses, float* logits, const int* targets, int N, int V) {
    __shared__ float shared_m[32];
    __shared__ float shared_s[32];
    int row = blockIdx.x;
    if (row >= N) {
        return;
    }
    float* x = logits + (size_t)row * V;

    float m = -FLT_MAX, s = 0.0f;
    for (int j = threadIdx.x; j < V; j += blockDim.x) {
        online_softmax_add(m, s, x[j]);
    }
    block_online_softmax(m, s, shared_m, shared_s);

    float inv = 1.0f / s;
    int target = targets[row];
    if (target < 0 && threadIdx.x == 0) {
        losses[row] = 0.0f;
    }
    for (int j = threadIdx.x; j < V; j += blockDim.x) {
        float p = expf(x[j] - m) * inv;
        x[j] = p;
        if (j == target) {
            losses[row] = -logf(p);
        }
    }
}
EMERALD_KERNEL(classifier_forward1)

// kernel 1: one thread per element; dlogits may be probs (in place): each element has one thread
extern "C" __global__ void classifier_backward1(float* dlogits, const float* probs, const int* targets, float dloss,
                                                int N, int V) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= N * V) {
        return;
    }
    int target = targets[idx / V];
    dlogits[idx] = target < 0 ? 0.0f : (probs[idx] - (idx % V == target ? 1.0f : 0.0f)) * dloss;
}
EMERALD_KERNEL(classifier_backward1)
