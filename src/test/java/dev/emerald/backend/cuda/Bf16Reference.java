package dev.emerald.backend.cuda;

import dev.emerald.backend.Backend;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * The CPU backend with mixed precision's rounding and nothing else: each GEMM's operands (input, weight,
 * and the backward's dout) rounded to bf16 by {@link Bf16}'s naive rounding, the bias gradient from the
 * unrounded dout. A float GPT on it computes what the bf16 one should on CUDA, by another route: the
 * model keeps float activations and weights, and the rounding happens here rather than in its buffers.
 */
final class Bf16Reference {
    private Bf16Reference() {
    }

    static Backend backend() {
        return backend(new CpuBackend());
    }

    static Backend backend(Backend cpu) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "matmulForward" -> {
                    cpu.matmulForward((Tensor) args[0], rounded(cpu, args[1]), rounded(cpu, args[2]), (Tensor) args[3],
                            (int) args[4], (int) args[5], (int) args[6]);
                    return null;
                }
                case "matmulBackward" -> {
                    Tensor dbias = (Tensor) args[2], dout = (Tensor) args[3];
                    int N = (int) args[6], C = (int) args[7], OC = (int) args[8];
                    cpu.matmulBackward((Tensor) args[0], (Tensor) args[1], null, rounded(cpu, dout), rounded(cpu, args[4]),
                            rounded(cpu, args[5]), N, C, OC);
                    if (dbias != null) {  // from the float dout, as CUDA's bias_backward1; the GEMMs' results are dropped
                        cpu.matmulBackward(cpu.alloc((long) N * C), cpu.alloc((long) OC * C), dbias, dout, (Tensor) args[4],
                                (Tensor) args[5], N, C, OC);
                    }
                    return null;
                }
                default -> {
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            }
        });
    }

    /** A copy of a CPU tensor with its values rounded to bf16. */
    private static Tensor rounded(Backend cpu, Object tensor) {
        Tensor t = (Tensor) tensor;
        float[] x = new float[t.len()];
        cpu.download(t, x);
        Tensor r = cpu.alloc(x.length);
        cpu.upload(r, Bf16.rounded(x));
        return r;
    }
}
