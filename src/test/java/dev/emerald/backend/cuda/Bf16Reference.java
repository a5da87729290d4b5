package dev.emerald.backend.cuda;

import dev.emerald.backend.Backend;
import dev.emerald.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A float backend with mixed precision's rounding and nothing else: each GEMM's operands (input, weight,
 * and the backward's dout) rounded to bf16 by {@link Bf16}'s naive rounding, the bias gradient from the
 * unrounded dout. A float GPT on it computes what the bf16 one should on CUDA, by another route: the
 * model keeps float activations and weights, and the rounding happens here rather than in its buffers.
 */
final class Bf16Reference {
    private Bf16Reference() {
    }

    /** fp32, a float backend, with the rounding. */
    static Backend backend(Backend fp32) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            List<Tensor> copies = new ArrayList<>();  // freed after the op: device memory is not garbage-collected
            Function<Object, Tensor> r = t -> {
                Tensor copy = rounded(fp32, (Tensor) t);
                copies.add(copy);
                return copy;
            };
            switch (method.getName()) {
                case "matmulForward" -> fp32.matmulForward((Tensor) args[0], r.apply(args[1]), r.apply(args[2]), (Tensor) args[3],
                        (int) args[4], (int) args[5], (int) args[6]);
                case "matmulBackward" -> {
                    Tensor dbias = (Tensor) args[2], dout = (Tensor) args[3];
                    int N = (int) args[6], C = (int) args[7], OC = (int) args[8];
                    fp32.matmulBackward((Tensor) args[0], (Tensor) args[1], null, r.apply(dout), r.apply(args[4]), r.apply(args[5]),
                            N, C, OC);
                    if (dbias != null) {  // from the float dout, as CUDA's bias_backward1; the GEMMs' results are dropped
                        Tensor dinp = fp32.alloc((long) N * C), dw = fp32.alloc((long) OC * C);
                        copies.addAll(List.of(dinp, dw));
                        fp32.matmulBackward(dinp, dw, dbias, dout, (Tensor) args[4], (Tensor) args[5], N, C, OC);
                    }
                }
                default -> {
                    try {
                        return method.invoke(fp32, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            }
            copies.forEach(fp32::free);
            return null;
        });
    }

    /** A copy of t with its values rounded to bf16. */
    private static Tensor rounded(Backend be, Tensor t) {
        float[] x = new float[t.len()];
        be.download(t, x);
        Tensor r = be.alloc(x.length);
        be.upload(r, Bf16.rounded(x));
        return r;
    }
}
