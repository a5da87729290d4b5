package dev.emerald.data.prep;

import org.tukaani.xz.CorruptedInputException;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZFormatException;

import java.io.EOFException;
import java.io.IOException;

/** Says in a few words why a file or member could not be read, for the log and meta.json. */
final class Corruption {
    private Corruption() {
    }

    static String describe(IOException e) {
        String detail = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
        return switch (e) {
            case EOFException x -> "truncated: the data ends early" + detail;
            case XZFormatException x -> "not in the .xz format";
            case CorruptedInputException x -> "corrupt .xz data" + detail;
            case MemoryLimitException x -> "needs " + x.getMemoryNeeded() / 1024 + " MiB to decompress, more than the "
                    + x.getMemoryLimit() / 1024 + " MiB allowed";
            case UnsupportedOptionsException x -> "uses .xz options that XZ for Java does not support" + detail;
            default -> e.getMessage() != null ? e.getMessage() : "unreadable";
        };
    }
}
