package dev.emerald.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.emerald.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static float[] ramp(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i - n / 3) * scale;
        }
        return a;
    }

    /** Little-endian unsigned integer of n bytes, assembled by hand (independent of ByteBuffer). */
    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    @Test
    void writerProducesTheStandardLayout() throws Exception {
        float[] big = ramp(600_000, 0.001f); // over two 1 MiB chunks
        float[] small = {1.5f, -2.25f, Float.MIN_VALUE, Float.MAX_VALUE, -0.0f, 3f, 7f};
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, List.of(
                new SafeTensors.Entry("wte", new long[] {1000, 600}, big, 0, 600_000),
                new SafeTensors.Entry("ln.b", new long[] {2, 2}, small, 2, 4)), Map.of("step", "1200"));

        byte[] bytes = Files.readAllBytes(file);
        long n = le(bytes, 0, 8);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"));
        String trimmed = header.stripTrailing();
        assertTrue(trimmed.endsWith("}"));
        assertTrue(header.substring(trimmed.length()).chars().allMatch(c -> c == ' '), "padding is spaces");
        assertTrue(header.length() - trimmed.length() < 8);

        JsonNode json = new ObjectMapper().readTree(header);
        assertEquals("[\"wte\",\"ln.b\",\"__metadata__\"]", new ObjectMapper().writeValueAsString(iterableNames(json)));
        assertEquals("F32", json.get("wte").get("dtype").asText());
        assertEquals("[1000,600]", json.get("wte").get("shape").toString());
        assertEquals("[0,2400000]", json.get("wte").get("data_offsets").toString());
        assertEquals("[2400000,2400016]", json.get("ln.b").get("data_offsets").toString());
        assertEquals("1200", json.get("__metadata__").get("step").asText());
        assertEquals(8 + n + 2_400_016, bytes.length, "data packed with no gaps");

        int data = 8 + (int) n;
        for (int i = 0; i < big.length; i += 997) {
            assertEquals(Float.floatToRawIntBits(big[i]), (int) le(bytes, data + 4 * i, 4));
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(Float.floatToRawIntBits(small[2 + i]), (int) le(bytes, data + 2_400_000 + 4 * i, 4));
        }

        try (SafeTensors.Reader r = SafeTensors.Reader.open(file)) {
            assertEquals(List.of("wte", "ln.b"), r.tensors().stream().map(SafeTensors.TensorInfo::name).toList());
            assertArrayEquals(new long[] {2, 2}, r.tensor("ln.b").shape());
            assertEquals(Map.of("step", "1200"), r.metadata());
            float[] back = new float[600_010];
            r.readFloats("wte", back, 10);
            assertArrayEquals(big, Arrays.copyOfRange(back, 10, 600_010));
            float[] b = new float[4];
            r.readFloats("ln.b", b, 0);
            assertArrayEquals(Arrays.copyOfRange(small, 2, 6), b);
        }
        assertThrows(UserException.class, () -> SafeTensors.write(file, List.of(), Map.of()), "no silent overwrite");
    }

    @Test
    void int8TensorsAreWrittenAsI8AndReadBack() throws Exception {
        byte[] q = new byte[1_500_001]; // over a 1 MiB chunk, of odd length
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (i * 31 + i / 7);
        }
        float[] scales = {0.5f, -1f, 3.25f};
        Path file = dir.resolve("int8.safetensors");
        SafeTensors.write(file, List.of(new SafeTensors.Entry("s", new long[] {3}, scales, 0, 3),
                new SafeTensors.Int8Entry("q", new long[] {1000, 1500}, q, 1, 1_500_000),
                new SafeTensors.Int8Entry("r", new long[] {1}, q, 0, 1)), Map.of());

        byte[] bytes = Files.readAllBytes(file);
        long n = le(bytes, 0, 8);
        JsonNode json = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals("I8", json.get("q").get("dtype").asText());
        assertEquals("[12,1500012]", json.get("q").get("data_offsets").toString());
        assertEquals("[1500012,1500013]", json.get("r").get("data_offsets").toString());
        assertEquals(8 + n + 1_500_013, bytes.length, "one byte per value, no gaps");
        int data = 8 + (int) n;
        assertEquals(Float.floatToRawIntBits(3.25f), (int) le(bytes, data + 8, 4));
        for (int i = 0; i < 1_500_000; i += 991) {
            assertEquals(q[1 + i], bytes[data + 12 + i], "value " + i);
        }
        assertEquals(q[0], bytes[data + 1_500_012]);

        try (SafeTensors.Reader r = SafeTensors.Reader.open(file)) {
            byte[] back = new byte[1_500_002];
            r.readBytes("q", back, 2);
            assertArrayEquals(Arrays.copyOfRange(q, 1, 1_500_001), Arrays.copyOfRange(back, 2, 1_500_002));
            float[] s = new float[3];
            r.readFloats("s", s, 0);
            assertArrayEquals(scales, s);
            assertTrue(assertThrows(UserException.class, () -> r.readFloats("q", new float[1_500_000], 0)).getMessage().contains("I8"));
            assertTrue(assertThrows(UserException.class, () -> r.readBytes("s", new byte[3], 0)).getMessage().contains("F32"));
        }
    }

    private static List<String> iterableNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A file built byte by byte: header JSON as given (padded), then the data bytes. */
    private Path handMade(String name, String header, byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        for (int i = 0; i < 8; i++) {
            out.write((int) ((long) padded >>> (8 * i)));
        }
        out.write(h);
        for (int i = h.length; i < padded; i++) {
            out.write(' ');
        }
        out.write(data);
        return Files.write(dir.resolve(name), out.toByteArray());
    }

    @Test
    void readsAHandMadeFileWithIntegerTensors() throws Exception {
        // I32 [2] = {1, -2}, then F32 [1] = 1.0f (0x3F800000), then I64 [1] = 2^40 + 5
        byte[] data = {1, 0, 0, 0, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                0, 0, (byte) 0x80, 0x3F,
                5, 0, 0, 0, 0, 1, 0, 0};
        Path file = handMade("ints.safetensors", "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[12,20]}}", data);
        try (SafeTensors.Reader r = SafeTensors.Reader.open(file)) {
            assertEquals(List.of("i", "f", "l"), r.tensors().stream().map(SafeTensors.TensorInfo::name).toList(), "file order");
            int[] ints = new int[2];
            r.readInts("i", ints, 0);
            assertArrayEquals(new int[] {1, -2}, ints);
            float[] f = new float[1];
            r.readFloats("f", f, 0);
            assertEquals(1.0f, f[0]);
            long[] l = new long[1];
            r.readLongs("l", l, 0);
            assertEquals((1L << 40) + 5, l[0]);
            assertTrue(assertThrows(UserException.class, () -> r.readFloats("i", new float[2], 0)).getMessage().contains("I32"));
            assertTrue(assertThrows(UserException.class, () -> r.tensor("nope")).getMessage().contains("no tensor 'nope'"));
        }
    }

    private String failure(Path file) {
        String message = assertThrows(UserException.class, () -> SafeTensors.Reader.open(file).close()).getMessage();
        assertTrue(message.contains(file.toString()), "names the file: " + message);
        return message;
    }

    private static final byte[] EIGHT = new byte[8];

    @Test
    void corruptFilesAreRejectedWithAReason() throws Exception {
        assertTrue(failure(dir.resolve("missing.safetensors")).contains("does not exist"));
        assertTrue(failure(Files.write(dir.resolve("short"), new byte[] {1, 2, 3})).contains("only 3 bytes"));
        Path huge = Files.write(dir.resolve("huge"), new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertTrue(failure(huge).contains("exceeds the file size"));
        assertTrue(failure(handMade("json", "{\"a\":", EIGHT)).contains("not valid JSON"));
        assertTrue(failure(handMade("array", "[1,2]", EIGHT)).contains("not a JSON object"));
        assertTrue(failure(handMade("range", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", EIGHT))
                .contains("outside the 8-byte data section"));
        assertTrue(failure(handMade("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", EIGHT)).contains("overlap"));
        assertTrue(failure(handMade("dtype", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", EIGHT))
                .contains("F8_E4M3"));
        assertTrue(failure(handMade("size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", EIGHT))
                .contains("needs 12"));
        assertTrue(failure(handMade("meta", "{\"__metadata__\":{\"step\":5}}", EIGHT)).contains("not a string"));
    }

    @Test
    void truncatedFileIsDetected() throws Exception {
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, List.of(new SafeTensors.Entry("w", new long[] {100}, ramp(100, 1f), 0, 100)), new LinkedHashMap<>());
        byte[] bytes = Files.readAllBytes(file);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(bytes, bytes.length - 10));
        assertTrue(failure(cut).contains("outside the"));
        Path cutHeader = Files.write(dir.resolve("cuth.safetensors"), Arrays.copyOf(bytes, 20));
        assertTrue(failure(cutHeader).contains("exceeds the file size"));
    }

    @Test
    void halfPrecisionTensorsWidenAsPyTorchDoes() throws Exception {
        // written by tools/fixtures/make_fixtures.py: the same values as F16 and BF16, and PyTorch's float32 of each
        Path file = Path.of(getClass().getResource("/fixtures/half-precision.safetensors").toURI());
        try (SafeTensors.Reader r = SafeTensors.Reader.open(file)) {
            for (String type : new String[] {"f16", "bf16"}) {
                int n = Math.toIntExact(r.tensor(type).elements());
                float[] widened = new float[n], expected = new float[n];
                r.readFloats(type, widened, 0);
                r.readFloats(type + "_as_f32", expected, 0);
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(widened[i]), type + " element " + i);
                }
            }
        }
    }
}
