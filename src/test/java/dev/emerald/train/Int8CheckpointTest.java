package dev.emerald.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.backend.cpu.CpuBackend;
import dev.emerald.data.CharTokenizer;
import dev.emerald.io.SafeTensors;
import dev.emerald.model.Gpt;
import dev.emerald.model.Int8Host;
import dev.emerald.model.Int8Layout;
import dev.emerald.model.LanguageModel;
import dev.emerald.model.Models;
import dev.emerald.model.Preset;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An int8 checkpoint written, read back and loaded: the same numbers, in the documented file layout. */
class Int8CheckpointTest {
    private static final String TEXT = TextFixtures.markov(500, 12, 3);
    private final CpuBackend cpu = new CpuBackend();
    private final CharTokenizer tokenizer = CharTokenizer.fit(TEXT);

    @TempDir
    Path tmp;

    private Gpt model(String preset) {
        ObjectNode m = Preset.load(preset).model().deepCopy();
        m.put("vocab_size", tokenizer.vocabSize()).put("block_size", 16).put("n_layer", 2).put("n_head", 2).put("n_embd", 36);
        Gpt gpt = (Gpt) Models.create(m, cpu);
        gpt.initWeights(7);
        return gpt;
    }

    private float[] logits(LanguageModel model) {
        int[] x = tokenizer.encode(TEXT.substring(0, 16));
        model.forward(x, null, 1, 16, false, 0);
        float[] l = new float[model.logits().len()];
        model.backend().download(model.logits(), l);
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void roundTripsExactly(String preset) {
        Gpt floats = model(preset);
        Int8Host host = Int8Host.quantize(floats);
        Path dir = tmp.resolve("int8");
        Checkpoint.saveInt8(dir, host, tokenizer);

        Int8Host back = Int8Checkpoint.read(dir.resolve(Checkpoint.MODEL), floats.config());
        assertArrayEquals(host.floats(), back.floats());
        assertArrayEquals(host.values(), back.values());
        assertArrayEquals(host.scales(), back.scales());
        Checkpoint.Loaded loaded = Checkpoint.load(dir, cpu);
        assertTrue(Checkpoint.isInt8(dir));
        assertEquals(null, loaded.optimizer());
        assertArrayEquals(logits(host.upload(cpu)), logits(loaded.model()));

        // quantizing as a float checkpoint loads gives the same model as loading the quantized one
        Path floatDir = tmp.resolve("float");
        Checkpoint.save(floatDir, floats, tokenizer, null, null, List.of());
        assertFalse(Checkpoint.isInt8(floatDir));
        assertArrayEquals(logits(loaded.model()), logits(Checkpoint.load(floatDir, cpu, true).model()));
    }

    /** Read by hand from the header: F32 floats first (4-byte aligned), NAME_scale F32 (rows), NAME I8 (rows, cols). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "course"})
    void fileHoldsEachMatrixOnceAsInt8(String preset) throws Exception {
        Gpt floats = model(preset);
        Int8Host host = Int8Host.quantize(floats);
        Path dir = tmp.resolve("int8");
        Checkpoint.saveInt8(dir, host, tokenizer);
        byte[] bytes = Files.readAllBytes(dir.resolve(Checkpoint.MODEL));
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = Models.JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals("int8", header.path("__metadata__").path("quantization").asText());
        long lastFloatEnd = 0, firstInt8 = Long.MAX_VALUE, data = 0;
        int matrices = 0;
        for (var field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = field.getValue();
            long begin = t.get("data_offsets").get(0).asLong(), end = t.get("data_offsets").get(1).asLong();
            data += end - begin;
            if (t.get("dtype").asText().equals("I8")) {
                matrices++;
                firstInt8 = Math.min(firstInt8, begin);
                JsonNode scale = header.get(field.getKey() + "_scale");
                assertEquals("F32", scale.get("dtype").asText());
                assertEquals(t.get("shape").get(0), scale.get("shape").get(0), "one scale per row");
            } else {
                assertEquals("F32", t.get("dtype").asText());
                assertEquals(0, begin % 4, field.getKey() + " aligned");
                lastFloatEnd = Math.max(lastFloatEnd, end);
            }
        }
        assertEquals(host.layout().matrices().size(), matrices);
        assertEquals(2 * 4 + 1, matrices, "q/k/v, projection, fc, fc projection per layer, and the LM head");
        assertTrue(lastFloatEnd <= firstInt8, "floats first");
        assertEquals(floats.config().tieEmbeddings() ? "I8" : "F32", header.get("transformer.wte.weight").get("dtype").asText(),
                "the tied embedding is stored once, as int8; an untied one stays float");
        // one byte per matrix weight and four per remaining float and per scale
        Int8Layout layout = host.layout();
        long tableFloats = layout.dequantizedEmbedding() == null ? 0 : layout.dequantizedEmbedding().size();
        assertEquals(layout.valueCount() + 4 * (layout.floats().total() - tableFloats + layout.scaleCount()), data);
        assertEquals(8 + n + data, bytes.length);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"I8 as F32", "missing scale"})
    void damagedFilesAreRefusedByTensor(String damage) {
        Gpt floats = model("gpt2");
        Path dir = tmp.resolve("int8");
        Checkpoint.saveInt8(dir, Int8Host.quantize(floats), tokenizer);
        Path file = dir.resolve(Checkpoint.MODEL);
        String name = "transformer.h.1.mlp.c_fc.weight";
        List<SafeTensors.Written> entries = new ArrayList<>();
        try (SafeTensors.Reader r = SafeTensors.Reader.open(file)) {
            for (SafeTensors.TensorInfo t : r.tensors()) {
                int size = Math.toIntExact(t.elements());
                if (t.dtype() == SafeTensors.DType.I8) {
                    byte[] q = new byte[size];
                    r.readBytes(t.name(), q, 0);
                    entries.add(t.name().equals(name) && damage.equals("I8 as F32")
                            ? new SafeTensors.Entry(t.name(), t.shape(), new float[size], 0, size)
                            : new SafeTensors.Int8Entry(t.name(), t.shape(), q, 0, size));
                } else if (!(t.name().equals(name + "_scale") && damage.equals("missing scale"))) {
                    float[] f = new float[size];
                    r.readFloats(t.name(), f, 0);
                    entries.add(new SafeTensors.Entry(t.name(), t.shape(), f, 0, size));
                }
            }
        }
        assertTrue(file.toFile().delete());
        SafeTensors.write(file, entries, Map.of());
        String message = assertThrows(UserException.class, () -> Checkpoint.load(dir, cpu)).getMessage();
        assertTrue(message.contains(damage.equals("I8 as F32") ? "'" + name + "' is F32, expected I8" : "no tensor '" + name + "_scale'"),
                message);
    }
}
