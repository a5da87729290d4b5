package dev.emerald.backend.cuda;

import java.util.Map;

/**
 * Two small kernels as PTX for the device tests, compiled from
 * <pre>
 * extern "C" __global__ void test_axpy(float* y, const float* x, float a, int n, long long off) {
 *     int i = blockIdx.x * blockDim.x + threadIdx.x;
 *     if (i < n) y[i + off] += a * x[i];
 * }
 * extern "C" __global__ void test_shared_reverse(float* out, const float* in, int n) {
 *     extern __shared__ float buf[];
 *     for (int i = threadIdx.x; i < n; i += blockDim.x) buf[i] = in[i];
 *     __syncthreads();
 *     for (int i = threadIdx.x; i < n; i += blockDim.x) out[i] = buf[n - 1 - i];
 * }
 * </pre>
 * by {@code nvcc -ptx -arch=compute_80}, with {@code .version} lowered from 9.0 to 8.0 (CUDA 12.0)
 * so that any CUDA 12 driver loads it; {@code ptxas -arch=sm_80} and {@code sm_90} accept it.
 */
final class TestKernels {
    static final String MODULE = "cuda/test_kernels.ptx";

    static final String PTX = """
            .version 8.0
            .target sm_80
            .address_size 64

                // .globl    test_axpy
            .extern .shared .align 16 .b8 buf[];

            .visible .entry test_axpy(
                .param .u64 test_axpy_param_0,
                .param .u64 test_axpy_param_1,
                .param .f32 test_axpy_param_2,
                .param .u32 test_axpy_param_3,
                .param .u64 test_axpy_param_4
            )
            {
                .reg .pred     %p<2>;
                .reg .f32     %f<5>;
                .reg .b32     %r<6>;
                .reg .b64     %rd<12>;

                ld.param.u64     %rd1, [test_axpy_param_0];
                ld.param.u64     %rd2, [test_axpy_param_1];
                ld.param.f32     %f1, [test_axpy_param_2];
                ld.param.u32     %r2, [test_axpy_param_3];
                ld.param.u64     %rd3, [test_axpy_param_4];
                mov.u32     %r3, %ctaid.x;
                mov.u32     %r4, %ntid.x;
                mov.u32     %r5, %tid.x;
                mad.lo.s32     %r1, %r3, %r4, %r5;
                setp.ge.s32     %p1, %r1, %r2;
                @%p1 bra     $L__BB0_2;

                cvta.to.global.u64     %rd4, %rd2;
                cvt.s64.s32     %rd5, %r1;
                mul.wide.s32     %rd6, %r1, 4;
                add.s64     %rd7, %rd4, %rd6;
                ld.global.f32     %f2, [%rd7];
                add.s64     %rd8, %rd5, %rd3;
                cvta.to.global.u64     %rd9, %rd1;
                shl.b64     %rd10, %rd8, 2;
                add.s64     %rd11, %rd9, %rd10;
                ld.global.f32     %f3, [%rd11];
                fma.rn.f32     %f4, %f2, %f1, %f3;
                st.global.f32     [%rd11], %f4;

            $L__BB0_2:
                ret;

            }
                // .globl    test_shared_reverse
            .visible .entry test_shared_reverse(
                .param .u64 test_shared_reverse_param_0,
                .param .u64 test_shared_reverse_param_1,
                .param .u32 test_shared_reverse_param_2
            )
            {
                .reg .pred     %p<5>;
                .reg .f32     %f<3>;
                .reg .b32     %r<19>;
                .reg .b64     %rd<9>;

                ld.param.u64     %rd3, [test_shared_reverse_param_0];
                ld.param.u64     %rd4, [test_shared_reverse_param_1];
                ld.param.u32     %r8, [test_shared_reverse_param_2];
                mov.u32     %r18, %tid.x;
                setp.ge.s32     %p1, %r18, %r8;
                @%p1 bra     $L__BB1_3;

                mov.u32     %r2, %ntid.x;
                cvta.to.global.u64     %rd1, %rd4;
                mov.u32     %r10, buf;
                mov.u32     %r17, %r18;

            $L__BB1_2:
                mul.wide.s32     %rd5, %r17, 4;
                add.s64     %rd6, %rd1, %rd5;
                ld.global.f32     %f1, [%rd6];
                shl.b32     %r9, %r17, 2;
                add.s32     %r11, %r10, %r9;
                st.shared.f32     [%r11], %f1;
                add.s32     %r17, %r17, %r2;
                setp.lt.s32     %p2, %r17, %r8;
                @%p2 bra     $L__BB1_2;

            $L__BB1_3:
                bar.sync     0;
                @%p1 bra     $L__BB1_6;

                mov.u32     %r5, %ntid.x;
                cvta.to.global.u64     %rd2, %rd3;
                mov.u32     %r15, buf;

            $L__BB1_5:
                not.b32     %r12, %r18;
                add.s32     %r13, %r12, %r8;
                shl.b32     %r14, %r13, 2;
                add.s32     %r16, %r15, %r14;
                ld.shared.f32     %f2, [%r16];
                mul.wide.s32     %rd7, %r18, 4;
                add.s64     %rd8, %rd2, %rd7;
                st.global.f32     [%rd8], %f2;
                add.s32     %r18, %r18, %r5;
                setp.lt.s32     %p4, %r18, %r8;
                @%p4 bra     $L__BB1_5;

            $L__BB1_6:
                ret;

            }
            """;

    private TestKernels() {
    }

    static PtxLibrary library() {
        return new PtxLibrary(Map.of(MODULE, PTX));
    }
}
