package dev.emerald.util;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/** Splits a range of independent work items over the cores. */
public final class Parallel {
    private Parallel() {
    }

    @FunctionalInterface
    public interface RangeBody {
        /** Handles items [from, to). */
        void run(int from, int to);
    }

    public static int threads() {
        return ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /** Runs body over [0, n) in contiguous chunks of at least minChunk items, one chunk per core at most. */
    public static void range(int n, int minChunk, RangeBody body) {
        int chunks = Math.max(1, Math.min(threads(), n / Math.max(1, minChunk)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }
}
