package dev.emerald.util;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts for people, and back. */
public final class Bytes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);

    private Bytes() {
    }

    /** e.g. "79.6 GiB". */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** In the largest binary unit that leaves at least 1, e.g. "812 B", "3.2 MiB", "1.5 GiB". */
    public static String human(long bytes) {
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /** A size such as "512M", "2GiB", "1.5 GB" or "100000" (bytes); K, M, G and T are powers of 1024. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new UserException("'" + text + "' is not a size: give a number of bytes with an optional unit, e.g. 512M or 2GiB");
        }
        int power = "KMGT".indexOf(Character.toUpperCase(m.group(2).isEmpty() ? 'B' : m.group(2).charAt(0))) + 1;
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(1024, power);
        if (bytes < 1 || bytes > Long.MAX_VALUE) {
            throw new UserException("size '" + text + "' is out of range: give at least 1 byte");
        }
        return (long) bytes;
    }
}
