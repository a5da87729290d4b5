package dev.emerald.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The memory this process uses: the JVM heap (where the CPU backend's tensors live) and the resident set. */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Heap in use now, garbage not yet collected included. */
    public static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Heap held by reachable objects: in use just after a full collection. */
    public static long liveHeap() {
        System.gc();
        return heapUsed();
    }

    /**
     * What the heap can still take of long-lived arrays, such as a model's: what its old generation may grow to less
     * what it holds after a full collection, or with a collector of one generation the whole heap's. The parallel
     * collector Emerald runs with caps the old generation at about two thirds of -Xmx.
     */
    public static long freeForLongLived() {
        long live = liveHeap();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getUsage().getMax() > 0
                    && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
                return pool.getUsage().getMax() - pool.getUsage().getUsed();
            }
        }
        return Runtime.getRuntime().maxMemory() - live;
    }

    /** Resident set size (VmRSS of /proc/self/status), where the system reports it (Linux). */
    public static OptionalLong resident() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or a /proc we cannot read: the log leaves RSS out
        }
        return OptionalLong.empty();
    }

    /** e.g. "heap 182.0 MiB, RSS 1.1 GiB". */
    public static String describe() {
        OptionalLong rss = resident();
        return "heap " + Bytes.human(heapUsed()) + (rss.isPresent() ? ", RSS " + Bytes.human(rss.getAsLong()) : "");
    }
}
