package dev.emerald.golden;

import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.io.SafeTensors;
import dev.emerald.model.Gpt;
import dev.emerald.model.HfGpt2;
import dev.emerald.model.Int8Host;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.emerald.golden.Compare.assertClose;
import static dev.emerald.golden.Fixture.floats;
import static dev.emerald.golden.Fixture.ints;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A random GPT-2 in Hugging Face's layout (Conv1D weights, mask buffers), written by PyTorch, gives PyTorch's logits. */
class HfGpt2ImportTest {
    @TempDir
    Path tmp;

    private static void assertLogits(Gpt gpt) {
        try (SafeTensors.Reader r = SafeTensors.Reader.open(Fixture.resource("hf-gpt2/expected.safetensors"))) {
            int[] inputs = ints(r, "inputs");
            int B = (int) r.tensor("inputs").shape()[0], T = (int) r.tensor("inputs").shape()[1];
            gpt.forward(inputs, null, B, T, false, 0);
            float[] logits = new float[gpt.logits().len()];
            gpt.backend().download(gpt.logits(), logits);
            assertClose("logits of the imported GPT-2", logits, floats(r, "logits"), PyTorchFixtureTest.TOLERANCE);
        }
    }

    /** A copy of the fixture checkpoint with its tensors renamed (null drops one) or replaced. */
    private Path rewritten(UnaryOperator<String> rename, Map<String, SafeTensors.Entry> replace) throws Exception {
        Path dir = Fixture.resource("hf-gpt2"), copy = Files.createDirectory(tmp.resolve("hf-" + System.nanoTime()));
        Files.copy(dir.resolve("config.json"), copy.resolve("config.json"));
        List<SafeTensors.Entry> entries = new ArrayList<>();
        try (SafeTensors.Reader r = SafeTensors.Reader.open(dir.resolve(HfGpt2.WEIGHTS))) {
            for (SafeTensors.TensorInfo t : r.tensors()) {
                String name = rename.apply(t.name());
                if (name != null) {
                    float[] data = floats(r, t.name());
                    entries.add(replace.getOrDefault(name, new SafeTensors.Entry(name, t.shape(), data, 0, data.length)));
                }
            }
        }
        SafeTensors.write(copy.resolve(HfGpt2.WEIGHTS), entries, Map.of());
        return copy;
    }

    @Test
    void importedModelGivesPyTorchsLogits() {
        assertLogits(HfGpt2.load(Fixture.resource("hf-gpt2"), new CpuBackend()));
    }

    /** Quantized as it is imported, the model stays within 3% (RMS) of PyTorch's float logits (see Int8GptTest for why). */
    @Test
    void int8ImportStaysNearPyTorchsLogits() {
        Gpt gpt = Int8Host.quantize(HfGpt2.load(Fixture.resource("hf-gpt2"), new CpuBackend())).upload(new CpuBackend());
        try (SafeTensors.Reader r = SafeTensors.Reader.open(Fixture.resource("hf-gpt2/expected.safetensors"))) {
            gpt.forward(ints(r, "inputs"), null, (int) r.tensor("inputs").shape()[0], (int) r.tensor("inputs").shape()[1], false, 0);
            float[] logits = new float[gpt.logits().len()], expected = floats(r, "logits");
            gpt.backend().download(gpt.logits(), logits);
            double err = 0, rms = 0;
            for (int i = 0; i < expected.length; i++) {
                err += Math.pow(logits[i] - expected[i], 2);
                rms += Math.pow(expected[i], 2);
            }
            assertTrue(Math.sqrt(err / rms) < 0.03, "int8 logits off PyTorch's by " + Math.sqrt(err / rms) + " of their RMS");
        }
    }

    @Test
    void namesWithTheTransformerPrefixLoadToo() throws Exception {
        assertLogits(HfGpt2.load(rewritten(n -> "transformer." + n, Map.of()), new CpuBackend()));
    }

    @Test
    void missingMisshapedOrForeignTensorsAreNamed() throws Exception {
        Path missing = rewritten(n -> n.equals("h.1.mlp.c_fc.bias") ? null : n, Map.of());
        UserException e = assertThrows(UserException.class, () -> HfGpt2.load(missing, new CpuBackend()));
        assertTrue(e.getMessage().contains("no tensor 'h.1.mlp.c_fc.bias'"), e.getMessage());

        // a Linear-shaped (out, in) weight where GPT-2 stores Conv1D (in, out)
        float[] w = new float[24 * 96];
        Path transposed = rewritten(n -> n, Map.of("h.0.mlp.c_fc.weight", new SafeTensors.Entry("h.0.mlp.c_fc.weight", new long[] {96, 24}, w, 0, w.length)));
        e = assertThrows(UserException.class, () -> HfGpt2.load(transposed, new CpuBackend()));
        assertTrue(e.getMessage().contains("'h.0.mlp.c_fc.weight' has shape [96, 24] but config.json needs [24, 96]"), e.getMessage());

        Path extra = rewritten(n -> n.equals("h.1.attn.bias") ? "h.1.attn.rotary" : n, Map.of());
        e = assertThrows(UserException.class, () -> HfGpt2.load(extra, new CpuBackend()));
        assertTrue(e.getMessage().contains("holds tensor 'h.1.attn.rotary'"), e.getMessage());
    }
}
