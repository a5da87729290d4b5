package dev.emerald.data;

import dev.emerald.util.UserException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a training text strictly, so a wrong file fails with a clear message instead of training on garbage. */
public final class TextFile {
    /** Above this share of control characters a file is binary data, not prose or code. */
    private static final double MAX_CONTROL_SHARE = 0.01;

    private TextFile() {
    }

    public static String read(Path file) {
        if (!Files.exists(file)) {
            throw new UserException("text file " + file + " does not exist: check the path");
        }
        if (Files.isDirectory(file)) {
            throw new UserException(file + " is a directory, not a text file: give the path of a UTF-8 text file");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new UserException("text file " + file + " is larger than 2 GB, more than --corpus reads into memory: run"
                        + " 'emerald prepare " + file + " --out DIR' once, then train with --data DIR");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage() + "; check that it is a readable file", e);
        }
        if (bytes.length == 0) {
            throw new UserException("text file " + file + " is empty: give a file containing training text");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new UserException(file + " looks like a binary file (NUL byte at byte offset " + i
                        + "), not UTF-8 text: give a plain text file");
            }
        }
        String text = decode(file, bytes);
        checkControlShare(file, text);
        // a byte-order mark is an encoding artefact, not text: it would otherwise become a token
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static String decode(Path file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new UserException(file + " is not valid UTF-8 (invalid byte sequence at byte offset " + in.position()
                    + "): convert it to UTF-8 first, e.g. with iconv -f latin1 -t utf-8");
        }
        return out.flip().toString();
    }

    private static void checkControlShare(Path file, String text) {
        long controls = text.chars().filter(TextFile::isStrayControl).count();
        if (controls > MAX_CONTROL_SHARE * text.length()) {
            throw new UserException(file + " looks like a binary file (" + controls + " of its " + text.length()
                    + " characters are control characters), not text: give a plain text file");
        }
    }

    private static boolean isStrayControl(int c) {
        return (c < 0x20 || c == 0x7F) && c != '\n' && c != '\r' && c != '\t' && c != '\f';
    }
}
