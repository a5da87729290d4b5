package dev.emerald.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safetensors format (as written by Hugging Face's library): an 8-byte little-endian header length N, N
 * bytes of JSON naming each tensor's dtype, shape and byte range in the data section, then the raw
 * little-endian data. Data is streamed in chunks, so a model of hundreds of MB never sits in one byte[].
 */
public final class SafeTensors {
    private static final String METADATA = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 20;
    /** Hugging Face's reader refuses larger headers too; it also stops a corrupt length allocating gigabytes. */
    private static final long MAX_HEADER_BYTES = 100_000_000;

    private SafeTensors() {
    }

    public enum DType {
        F32(4), F16(2), BF16(2), I8(1), I32(4), I64(8);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One tensor to write: a range of a float or a byte array with the given shape. */
    public sealed interface Written permits Entry, Int8Entry {
        String name();

        long[] shape();

        int length();

        DType dtype();
    }

    /** {@code data[offset, offset + length)} with the given shape, as F32. */
    public record Entry(String name, long[] shape, float[] data, int offset, int length) implements Written {
        public Entry {
            checkRange(name, shape, offset, length, data.length);
        }

        @Override
        public DType dtype() {
            return DType.F32;
        }
    }

    /** {@code data[offset, offset + length)} with the given shape, as I8 (quantized weights). */
    public record Int8Entry(String name, long[] shape, byte[] data, int offset, int length) implements Written {
        public Int8Entry {
            checkRange(name, shape, offset, length, data.length);
        }

        @Override
        public DType dtype() {
            return DType.I8;
        }
    }

    private static void checkRange(String name, long[] shape, int offset, int length, int arrayLength) {
        Objects.checkFromIndexSize(offset, length, arrayLength);
        if (elements(shape) != length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not hold " + length + " elements");
        }
    }

    /** A tensor listed in a file's header; begin and end are byte offsets into the data section. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long elements() {
            return SafeTensors.elements(shape);
        }
    }

    /** Writes {@code file} atomically (it must not exist yet): tensors packed in list order, then metadata. */
    public static void write(Path file, List<? extends Written> entries, Map<String, String> metadata) {
        byte[] header = header(entries, metadata);
        AtomicFile.write(file, out -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            for (int i = 0; i < header.length; ) {
                int n = Math.min(buf.remaining(), header.length - i);
                buf.put(header, i, n);
                i += n;
                drainIfFull(out, buf);
            }
            for (Written e : entries) {
                int bytes = e.dtype().bytes;
                for (int i = 0; i < e.length(); ) {
                    int n = Math.min(buf.remaining() / bytes, e.length() - i);
                    switch (e) {
                        case Entry f -> buf.asFloatBuffer().put(f.data(), f.offset() + i, n);
                        case Int8Entry q -> buf.slice().put(q.data(), q.offset() + i, n);
                    }
                    buf.position(buf.position() + n * bytes);
                    i += n;
                    drainIfFull(out, buf);
                }
            }
            drain(out, buf);
        });
    }

    private static void drainIfFull(FileChannel out, ByteBuffer buf) throws IOException {
        if (buf.remaining() < Long.BYTES) {
            drain(out, buf);
        }
    }

    private static void drain(FileChannel out, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }

    /** The JSON header, padded with spaces so the data section starts 8-byte aligned. */
    private static byte[] header(List<? extends Written> entries, Map<String, String> metadata) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        long offset = 0;
        for (Written e : entries) {
            if (e.name().equals(METADATA) || json.has(e.name())) {
                throw new IllegalArgumentException("tensor name '" + e.name() + "' is reserved or repeated");
            }
            ObjectNode t = json.putObject(e.name());
            t.put("dtype", e.dtype().name());
            Arrays.stream(e.shape()).forEach(t.putArray("shape")::add);
            long end = offset + (long) e.length() * e.dtype().bytes;
            t.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        if (!metadata.isEmpty()) {
            ObjectNode m = json.putObject(METADATA);
            metadata.forEach(m::put);
        }
        byte[] raw;
        try {
            raw = new ObjectMapper().writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers cannot fail to serialise", e);
        }
        byte[] padded = Arrays.copyOf(raw, (raw.length + 7) / 8 * 8);
        Arrays.fill(padded, raw.length, padded.length, (byte) ' ');
        return padded;
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** An open safetensors file: its header is parsed and checked on open, tensors are read on demand. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, TensorInfo> tensors;
        private final Map<String, String> metadata;

        private Reader(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
            this.file = file;
            this.channel = channel;
            this.dataStart = dataStart;
            this.tensors = tensors;
            this.metadata = metadata;
        }

        public static Reader open(Path file) {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new UserException("weights file " + file + " does not exist: check the path or the checkpoint directory", e);
            } catch (IOException e) {
                throw new UserException("cannot open weights file " + file + ": " + e + "; check that it is a readable file", e);
            }
            try {
                return parse(file, channel);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new UserException("cannot read weights file " + file + ": " + e + "; check that it is a readable file", e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }

        private static Reader parse(Path file, FileChannel channel) throws IOException {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw corrupt(file, "it is only " + size + " bytes long, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = readFully(channel, 0, Long.BYTES);
            long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 0 || headerLength > size - Long.BYTES) {
                throw corrupt(file, "its header length " + Long.toUnsignedString(headerLength) + " exceeds the file size of " + size + " bytes");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw corrupt(file, "its header length " + headerLength + " is larger than the " + MAX_HEADER_BYTES + " bytes allowed");
            }
            ByteBuffer headerBytes = readFully(channel, Long.BYTES, (int) headerLength);
            JsonNode json;
            try {
                json = new ObjectMapper().readTree(StandardCharsets.UTF_8.decode(headerBytes).toString());
            } catch (JsonProcessingException e) {
                throw corrupt(file, "its header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (json == null || !json.isObject()) {
                throw corrupt(file, "its header is not a JSON object");
            }
            long dataStart = Long.BYTES + headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<TensorInfo> infos = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals(METADATA)) {
                    readMetadata(file, field.getValue(), metadata);
                } else {
                    infos.add(tensorInfo(file, field.getKey(), field.getValue(), size - dataStart));
                }
            }
            // list tensors in file order and check that no two share bytes
            infos.sort(Comparator.comparingLong(TensorInfo::begin));
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (int i = 0; i < infos.size(); i++) {
                TensorInfo t = infos.get(i);
                if (i > 0 && t.begin() < infos.get(i - 1).end()) {
                    throw corrupt(file, "tensors '" + infos.get(i - 1).name() + "' and '" + t.name() + "' overlap");
                }
                tensors.put(t.name(), t);
            }
            return new Reader(file, channel, dataStart, tensors, metadata);
        }

        private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata) {
            if (!node.isObject()) {
                throw corrupt(file, "its " + METADATA + " is not a JSON object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> m = it.next();
                if (!m.getValue().isTextual()) {
                    throw corrupt(file, "metadata value '" + m.getKey() + "' is not a string");
                }
                metadata.put(m.getKey(), m.getValue().asText());
            }
        }

        private static TensorInfo tensorInfo(Path file, String name, JsonNode node, long dataSize) {
            String where = "tensor '" + name + "'";
            JsonNode dtypeNode = node.get("dtype");
            JsonNode shapeNode = node.get("shape");
            JsonNode offsets = node.get("data_offsets");
            if (dtypeNode == null || !dtypeNode.isTextual() || shapeNode == null || !shapeNode.isArray()
                    || offsets == null || !offsets.isArray() || offsets.size() != 2
                    || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw corrupt(file, where + " needs a dtype string, a shape list and two data_offsets");
            }
            DType dtype;
            try {
                dtype = DType.valueOf(dtypeNode.asText());
            } catch (IllegalArgumentException e) {
                throw new UserException("weights file " + file + ": " + where + " has dtype " + dtypeNode.asText()
                        + ", which Emerald does not read (it reads " + Arrays.toString(DType.values())
                        + "): convert the tensor to F32");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                    throw corrupt(file, where + " has an invalid shape " + shapeNode);
                }
                shape[i] = shapeNode.get(i).asLong();
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw corrupt(file, where + " has data_offsets [" + begin + ", " + end + "] outside the "
                        + dataSize + "-byte data section");
            }
            long expected;
            try {
                expected = Math.multiplyExact(elements(shape), dtype.bytes);
            } catch (ArithmeticException e) {
                throw corrupt(file, where + " has an impossibly large shape " + shapeNode);
            }
            if (end - begin != expected) {
                throw corrupt(file, where + " has " + (end - begin) + " bytes of data but its shape " + shapeNode
                        + " of " + dtype + " needs " + expected);
            }
            return new TensorInfo(name, dtype, shape, begin, end);
        }

        /** Tensors in file order. */
        public List<TensorInfo> tensors() {
            return List.copyOf(tensors.values());
        }

        public Map<String, String> metadata() {
            return Map.copyOf(metadata);
        }

        public TensorInfo tensor(String name) {
            TensorInfo t = tensors.get(name);
            if (t == null) {
                throw new UserException("weights file " + file + " has no tensor '" + name + "' (it has "
                        + tensors.keySet() + "): it was written for a different model; use a matching checkpoint");
            }
            return t;
        }

        /** Reads a floating-point tensor (F32, or F16/BF16 widened to float) into {@code dst[offset, offset + elements)}. */
        public void readFloats(String name, float[] dst, int offset) {
            DType dtype = tensor(name).dtype();
            TensorInfo t = checked(name, dtype == DType.F16 || dtype == DType.BF16 ? dtype : DType.F32, dst.length, offset);
            read(t, (buf, done) -> {
                int at = offset + (int) done;
                switch (dtype) {
                    case F16 -> {
                        while (buf.hasRemaining()) {
                            dst[at++] = Float.float16ToFloat(buf.getShort());
                        }
                    }
                    case BF16 -> {
                        while (buf.hasRemaining()) {
                            dst[at++] = Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);
                        }
                    }
                    default -> buf.asFloatBuffer().get(dst, at, buf.remaining() / Float.BYTES);
                }
            });
        }

        /** Reads an I8 tensor into {@code dst[offset, offset + elements)}. */
        public void readBytes(String name, byte[] dst, int offset) {
            TensorInfo t = checked(name, DType.I8, dst.length, offset);
            read(t, (buf, done) -> buf.get(dst, offset + (int) done, buf.remaining()));
        }

        /** Reads an I32 tensor into {@code dst[offset, offset + elements)}. */
        public void readInts(String name, int[] dst, int offset) {
            TensorInfo t = checked(name, DType.I32, dst.length, offset);
            read(t, (buf, done) -> buf.asIntBuffer().get(dst, offset + (int) done, buf.remaining() / Integer.BYTES));
        }

        /** Reads an I64 tensor into {@code dst[offset, offset + elements)}. */
        public void readLongs(String name, long[] dst, int offset) {
            TensorInfo t = checked(name, DType.I64, dst.length, offset);
            read(t, (buf, done) -> buf.asLongBuffer().get(dst, offset + (int) done, buf.remaining() / Long.BYTES));
        }

        private TensorInfo checked(String name, DType dtype, int dstLength, int offset) {
            TensorInfo t = tensor(name);
            if (t.dtype() != dtype) {
                throw new UserException("weights file " + file + ": tensor '" + name + "' is " + t.dtype() + ", expected "
                        + dtype + ": it was written for a different model; use a matching checkpoint");
            }
            Objects.checkFromIndexSize(offset, Math.toIntExact(t.elements()), dstLength);
            return t;
        }

        @FunctionalInterface
        private interface Chunk {
            /** Copies a chunk of whole elements, which starts {@code done} elements into the tensor. */
            void accept(ByteBuffer chunk, long done);
        }

        private void read(TensorInfo t, Chunk sink) {
            int elementBytes = t.dtype().bytes;
            int chunk = CHUNK_BYTES / elementBytes * elementBytes;
            try {
                for (long pos = t.begin(); pos < t.end(); pos += chunk) {
                    int n = (int) Math.min(chunk, t.end() - pos);
                    sink.accept(readFully(channel, dataStart + pos, n).order(ByteOrder.LITTLE_ENDIAN), (pos - t.begin()) / elementBytes);
                }
            } catch (IOException e) {
                throw new UserException("cannot read tensor '" + t.name() + "' from " + file + ": " + e
                        + "; check that the file is readable and complete", e);
            }
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    /** Exactly n bytes at a position, or an error if the file ends first (it may have been truncated since). */
    private static ByteBuffer readFully(FileChannel channel, long position, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buf.position()));
            }
        }
        return buf.flip();
    }

    private static UserException corrupt(Path file, String what) {
        return new UserException("weights file " + file + " is not a valid safetensors file: " + what
                + "; it is damaged or truncated: use another checkpoint");
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through a read-only channel, so closing cannot lose data
        }
    }
}
