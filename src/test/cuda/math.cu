// Emulator test kernel: the math built-ins kernels may use.
#include "common.cuh"

// out (17, n): row k holds function k of in[i] (see MathFunctionsTest for the list).
extern "C" __global__ void math_functions(float* out, const float* in, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    float x = in[i];
    float a = fabsf(x);
    float r[] = {
        expf(x), logf(a + 1.0f), sqrtf(a), rsqrtf(a + 0.1f), tanhf(x), fmaxf(x, 0.5f), fminf(x, 0.5f), a,
        powf(a, 1.5f), __expf(x), __logf(a + 1.0f), __fdividef(x, 3.0f), erff(x), min(x, 0.25f), max(x, 0.25f),
        (float) min((int) (x * 10), 3) + (float) max((int) (x * 10), -3) * 100.0f,
        fmaxf(x, -INFINITY) == x && x < FLT_MAX ? 1.0f : 0.0f,
    };
    for (int k = 0; k < 17; k++) {
        out[k * n + i] = r[k];
    }
}
EMERALD_KERNEL(math_functions)
