// One AdamW step on N parameters, exactly Backend.adamw's formula (the CPU backend's order of
// operations): moments m, v; bias corrections bc1 = 1 - beta1^step, bc2 = 1 - beta2^step; decoupled
// weight decay wd (0 for parameters that are not decayed).
#include "common.cuh"

// kernel 1: one thread per parameter
extern "C" __global__ void adamw1(float* param, const float* grad, float* m, float* v, int N, float lr,
                                  float beta1, float beta2, float eps, float wd, float bc1, float bc2) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= N) {
        return;
    }
    float g = grad[i];
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    float mhat = mi / bc1, vhat = vi / bc2;
    float p = param[i];
    param[i] = p - lr * (mhat / (sqrtf(vhat) + eps) + wd * p);
}
EMERALD_KERNEL(adamw1)
