package dev.emerald.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.train.Checkpoint;
import dev.emerald.train.Trainer;
import dev.emerald.util.Rng;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A quantized GPT against float GPTs: one holding its dequantized weights (exactly its function), and the original. */
class Int8GptTest {
    private static final int V = 67, B = 2, T = 37;
    private final CpuBackend cpu = new CpuBackend();

    /** A tiny model of the preset's family (gpt2: tied LM head; course: untied, with a bias) at awkward sizes. */
    private Gpt tiny(String preset) {
        ObjectNode m = Preset.load(preset).model().deepCopy();
        m.put("vocab_size", V).put("block_size", 40).put("n_layer", 2).put("n_head", 4).put("n_embd", 84);
        Gpt gpt = (Gpt) Models.create(m, cpu);
        gpt.initWeights(1);
        float[] p = download(gpt);
        Rng rng = Rng.of(2);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.05 * rng.nextGaussian()); // trained weights are no longer the init's
        }
        cpu.upload(gpt.parameters(), p);
        return gpt;
    }

    private float[] download(Gpt gpt) {
        float[] p = new float[gpt.parameters().len()];
        cpu.download(gpt.parameters(), p);
        return p;
    }

    private float[] logits(Gpt gpt, int[] x) {
        gpt.forward(x, null, B, T, false, 0);
        float[] l = new float[B * T * V];
        cpu.download(gpt.logits(), l);
        return l;
    }

    private static int[] tokens() {
        Rng rng = Rng.of(3);
        int[] x = new int[B * T];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(V);
        }
        return x;
    }

    /**
     * The reference: the float model with each quantized matrix replaced by scale * value, computed here
     * from the quantized parameters; the tied embedding's lookup reads the same dequantized table.
     */
    private Gpt dequantized(Gpt floats, Int8Host host) {
        float[] p = download(floats);
        ParameterLayout layout = floats.layout();
        for (Int8Layout.Matrix m : host.layout().matrices()) {
            int at = Math.toIntExact(layout.find(m.name()).offset());
            for (int r = 0; r < m.rows(); r++) {
                for (int c = 0; c < m.cols(); c++) {
                    p[at + r * m.cols() + c] = host.scales()[(int) m.scaleOffset() + r] * host.values()[(int) m.valueOffset() + r * m.cols() + c];
                }
            }
        }
        Gpt reference = new Gpt(floats.config(), cpu);
        cpu.upload(reference.parameters(), p);
        return reference;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void computesTheFloatModelOfItsDequantizedWeights(String preset) {
        Gpt floats = tiny(preset);
        Int8Host host = Int8Host.quantize(floats);
        Gpt int8 = host.upload(cpu);
        int[] x = tokens();
        float[] want = logits(dequantized(floats, host), x), got = logits(int8, x);
        // the same sums in another order (int8 rows times a scale, against dequantized floats): float rounding only
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])))) {
                fail(preset + " logit " + i + ": int8 " + got[i] + ", dequantized floats " + want[i]);
            }
        }
        // the matrices live only as int8: the float buffer holds the rest (and a tied embedding's lookup table)
        long matrices = host.layout().matrices().stream().mapToLong(Int8Layout.Matrix::size).sum();
        long table = floats.config().tieEmbeddings() ? (long) V * 84 : 0;
        assertEquals(floats.parameterCount() - matrices + table, int8.parameters().size());
    }

    /**
     * Each weight moves by at most half its row's level, absmax / 254; with errors of random sign a matmul's
     * output moves by about absmax / (254 sqrt 3) / rms(w) of its size, under 1% for Gaussian rows of
     * 84 to 336 weights (absmax / rms about 3), and the six to nine matmuls a logit passes through add in
     * quadrature. 3% of the logits' RMS leaves room for that; a wrong scale, row or matrix is far off.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void logitsStayCloseToTheFloatModels(String preset) {
        Gpt floats = tiny(preset);
        int[] x = tokens();
        float[] want = logits(floats, x), got = logits(Int8Host.quantize(floats).upload(cpu), x);
        double err = 0, rms = 0;
        for (int i = 0; i < want.length; i++) {
            err += (got[i] - want[i]) * (double) (got[i] - want[i]);
            rms += want[i] * (double) want[i];
        }
        double relative = Math.sqrt(err / rms);
        assertTrue(relative < 0.03, preset + ": int8 logits differ by " + relative + " of the float logits' RMS");
    }

    @Test
    void anInt8ModelIsForInferenceOnly() {
        Gpt int8 = Int8Host.quantize(tiny("gpt2")).upload(cpu);
        assertThrows(IllegalStateException.class, int8::grads);
        assertThrows(IllegalStateException.class, () -> int8.initWeights(1));
        assertThrows(IllegalStateException.class, () -> int8.backward(1));
        assertTrue(assertThrows(UserException.class, () -> new Trainer(int8, null, null, null, null, null)).getMessage()
                .contains("cannot be trained"));
        assertThrows(IllegalStateException.class, () -> Checkpoint.save(Path.of("unused"), int8, null, null, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Int8Host.quantize(int8));
    }
}
