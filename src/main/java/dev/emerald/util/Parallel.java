package dev.emerald.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of independent work items over the cores, on one persistent pool of daemon
 * workers plus the calling thread. Workers spin briefly before parking, so the back-to-back calls a
 * training step makes cost a few microseconds each rather than a fork/join round trip.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** How long an idle worker (or a waiting caller) spins before parking. */
    private static final long SPIN_NANOS = 50_000;
    private static final int CHUNKS_PER_THREAD = 4;

    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static volatile Job current;
    private static long jobIds;
    private static final Thread[] WORKERS = new Thread[THREADS - 1];

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            Thread t = new Thread(Parallel::workerLoop, "emerald-parallel-" + (i + 1));
            t.setDaemon(true);
            WORKERS[i] = t;
            t.start();
        }
    }

    private Parallel() {
    }

    @FunctionalInterface
    public interface RangeBody {
        /** Handles items [from, to). */
        void run(int from, int to);
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs body over [0, n) in contiguous chunks of at least minChunk items, up to CHUNKS_PER_THREAD per
     * core, claimed in turn: on a busy machine, a thread the OS sets aside leaves its unclaimed chunks to the others.
     */
    public static void range(int n, int minChunk, RangeBody body) {
        int chunks = Math.max(1, Math.min(THREADS * CHUNKS_PER_THREAD, n / Math.max(1, minChunk)));
        // A nested call, or one racing another thread's call, runs inline rather than wait for the pool.
        if (chunks == 1 || THREADS == 1 || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Job job = new Job(++jobIds, body, n, chunks, Thread.currentThread());
            current = job;
            for (Thread w : WORKERS) {
                LockSupport.unpark(w);
            }
            job.work();
            job.awaitDone();
            switch (job.failure) {
                case null -> { }
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new RuntimeException(job.failure);
            }
        } finally {
            current = null; // do not keep the body's captured arrays alive
            BUSY.set(false);
        }
    }

    private static void workerLoop() {
        long seen = 0;
        long idleSince = System.nanoTime();
        for (;;) {
            long ran = workOnNew(seen);
            if (ran != seen) {
                seen = ran;
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                // The caller unparks every worker after publishing a job, so no wake-up is lost.
                LockSupport.park();
            }
        }
    }

    /**
     * Works on the current job if it is not the one seen last, returning its id (else seen). No reference to the job
     * stays in the worker's frame, so a parked worker does not keep the arrays the job's body captured alive.
     */
    private static long workOnNew(long seen) {
        Job job = current;
        if (job == null || job.id == seen) {
            return seen;
        }
        job.work();
        return job.id;
    }

    /** One range call: chunks are claimed by the caller and the workers from a shared counter. */
    private static final class Job {
        private static final VarHandle NEXT;
        private static final VarHandle PENDING;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                NEXT = l.findVarHandle(Job.class, "next", int.class);
                PENDING = l.findVarHandle(Job.class, "pending", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long id;
        final RangeBody body;
        final int n;
        final int chunks;
        final Thread caller;
        @SuppressWarnings("unused") // via NEXT
        private volatile int next;
        private volatile int pending;
        volatile Throwable failure;

        Job(long id, RangeBody body, int n, int chunks, Thread caller) {
            this.id = id;
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.pending = chunks;
        }

        void work() {
            for (int c; (c = (int) NEXT.getAndAdd(this, 1)) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    if ((int) PENDING.getAndAdd(this, -1) == 1) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        void awaitDone() {
            long start = System.nanoTime();
            while (pending != 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }
}
