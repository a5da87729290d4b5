package dev.emerald.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emerald.util.Parallel;
import java.lang.ref.WeakReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The worker pool Sgemm runs on (lives here as Sgemm is its main client). */
class ParallelTest {
    @Test
    void coversEveryItemOnceAcrossManyCalls() {
        for (int n : new int[] {0, 1, 2, 3, 7, 100, 1001}) {
            for (int call = 0; call < 200; call++) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.range(n, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "n=" + n + " item " + i);
                }
            }
        }
    }

    @Test
    void nestedCallsRunInline() {
        AtomicIntegerArray hits = new AtomicIntegerArray(64);
        Parallel.range(8, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                int base = i * 8;
                Parallel.range(8, 1, (f, t) -> {
                    for (int j = f; j < t; j++) {
                        hits.incrementAndGet(base + j);
                    }
                });
            }
        });
        for (int i = 0; i < 64; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void failuresReachTheCallerAndThePoolRecovers() {
        assertThrows(IllegalStateException.class, () -> Parallel.range(Parallel.threads() * 2, 1, (from, to) -> {
            throw new IllegalStateException("boom");
        }));
        AtomicIntegerArray hits = new AtomicIntegerArray(10);
        Parallel.range(10, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 10; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    /** A worker that parks must not keep the finished job, and with it the arrays its body captured, alive. */
    @Test
    void finishedJobsAreNotKeptAlive() throws InterruptedException {
        WeakReference<float[]> ref = runJobOnAnArray();
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(ref.get() == null, "the job's array is unreachable once range returned");
    }

    private static WeakReference<float[]> runJobOnAnArray() {
        float[] big = new float[1 << 20];
        Thread caller = Thread.currentThread();
        Parallel.range(Parallel.threads() * 4, 1, (from, to) -> {
            big[from] = from;
            if (Thread.currentThread() == caller) {
                LockSupport.parkNanos(20_000_000); // the workers finish first and park while the job is still current
            }
        });
        return new WeakReference<>(big);
    }
}
