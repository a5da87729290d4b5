package dev.emerald.util;

import java.util.Locale;

/** Byte counts for people. */
public final class Bytes {
    private Bytes() {
    }

    /** e.g. "79.6 GiB". */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
