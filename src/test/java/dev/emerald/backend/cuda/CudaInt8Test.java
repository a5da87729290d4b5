package dev.emerald.backend.cuda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.Backend;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.backend.cuda.CpuVsCuda.Twin;
import dev.emerald.model.Gpt;
import dev.emerald.model.Int8Host;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.emerald.backend.cuda.CpuVsCuda.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The int8 matmul on the emulator against {@code CpuBackend}: matmul_int8_forward1 for up to 8 rows (decoding),
 * dequantize_int8_1 and the float GEMM for more; and a quantized GPT's whole forward. Sizes are multiples of
 * neither 32 nor the vector lengths.
 */
class CudaInt8Test {

    /** Largest relative error, with the floor of sums of unit-scale terms (see {@link CpuVsCuda}). */
    private static final double TOL = 1e-5, UNIT = 1;
    private static final int C = 131, OC = 67;

    @ParameterizedTest(name = "N {0}, bias {1}")
    @CsvSource({"1, true", "5, false", "8, true", "9, true", "111, false"})
    void matmulMatchesCpu(int N, boolean withBias) {
        try (CpuVsCuda ops = new CpuVsCuda(Emulators.backend())) {
            byte[] q = new byte[OC * C];
            for (int i = 0; i < q.length; i++) {
                q[i] = (byte) (ops.rng.nextInt(255) - 127);
            }
            Twin wq = ops.int8(q), inp = ops.randn(N * C, 1), scales = ops.randn(OC, 0.01);
            Twin bias = withBias ? ops.randn(OC, 1) : null, out = ops.randn(N * OC, 1); // overwritten
            ops.both(be -> be.matmulForwardInt8(out.on(be), inp.on(be), wq.on(be), scales.on(be), bias == null ? null : bias.on(be),
                    N, C, OC));
            ops.assertMatches(N <= 8 ? "matmul_int8_forward1 out" : "dequantize_int8_1 then matmul out", out, TOL, UNIT);
        }
    }

    @Test
    void tensorsOfTheWrongKindAreRefused() {
        try (CpuVsCuda ops = new CpuVsCuda(Emulators.backend())) {
            Twin f = ops.zeros(12), q = ops.int8(new byte[12]);
            assertThrows(IllegalArgumentException.class, () -> ops.cuda.matmulForwardInt8(f.cuda(), f.cuda(), f.cuda(), f.cuda(), null, 1, 3, 4));
            assertThrows(IllegalArgumentException.class, () -> ops.cuda.upload(q.cuda(), new float[12]));
        }
    }

    /** One sequence of 37 tokens (the dequantizing path), then one token (the decoding kernel). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void quantizedForwardMatchesCpu(String preset) {
        ObjectNode m = Preset.load(preset).model().deepCopy();
        m.put("vocab_size", 67).put("block_size", 40).put("n_layer", 2).put("n_head", 4).put("n_embd", 84);
        Gpt floats = (Gpt) Models.create(m, new CpuBackend());
        floats.initWeights(1);
        Int8Host host = Int8Host.quantize(floats);
        try (CudaBackend cuda = Emulators.backend()) {
            Gpt onCpu = host.upload(new CpuBackend()), onCuda = host.upload(cuda);
            int[] x = new int[37];
            Rng rng = Rng.of(4);
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextInt(67);
            }
            for (int T : new int[] {37, 1}) {
                onCpu.forward(x, null, 1, T, false, 0);
                onCuda.forward(x, null, 1, T, false, 0);
                assertClose(preset + " int8 logits, T = " + T, logits(cuda, onCuda), logits(onCpu.backend(), onCpu), TOL, UNIT);
            }
        }
    }

    private static float[] logits(Backend be, Gpt model) {
        float[] v = new float[model.logits().len()];
        be.download(model.logits(), v);
        return v;
    }
}
