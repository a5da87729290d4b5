package dev.emerald.data.prep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pass over the inputs: a reading thread walks them and submits tasks, a pool of threads decompresses and
 * tokenizes, and the calling thread consumes the results in input order. At most a few tasks per thread wait
 * in the queue, so memory stays bounded whatever the corpus size.
 */
final class Pipeline {
    private static final Batch END = new Batch();

    @FunctionalInterface
    interface Consumer {
        void accept(Batch batch) throws IOException;
    }

    private final int threads;
    private final int sectionBytes;
    private final AtomicLong inputRead = new AtomicLong();

    Pipeline(int threads, int sectionBytes) {
        this.threads = threads;
        this.sectionBytes = sectionBytes;
    }

    /** Bytes read from the input files so far in this pass (ahead of what was consumed by the tasks in the queue). */
    long inputRead() {
        return inputRead.get();
    }

    void run(List<Path> inputs, Processor processor, Consumer consumer) throws IOException {
        inputRead.set(0);
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("emerald-prepare-", 1).factory());
        BlockingQueue<Future<Batch>> queue = new ArrayBlockingQueue<>(2 * threads + 2);
        AtomicBoolean stopped = new AtomicBoolean();
        ReaderSink sink = new ReaderSink(task -> put(queue, pool.submit(task), stopped), processor, sectionBytes, inputRead);
        Thread reader = Thread.ofPlatform().daemon().name("emerald-prepare-reader").start(() -> {
            try {
                Walker walker = new Walker(sink, sectionBytes);
                for (Path input : inputs) {
                    walker.input(input);
                }
                sink.flush();
                put(queue, CompletableFuture.completedFuture(END), stopped);
            } catch (Throwable t) {
                try {
                    put(queue, CompletableFuture.failedFuture(t), stopped);
                } catch (CancellationException writerStopped) {
                    // the writer has stopped for its own reason, which is the one to report
                }
            }
        });
        try {
            for (Batch batch = next(queue); batch != END; batch = next(queue)) {
                consumer.accept(batch);
            }
        } finally {
            stopped.set(true);
            pool.shutdownNow();
            reader.interrupt();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for room in the queue, giving up when the pass was stopped (the writer failed or was interrupted). */
    private static void put(BlockingQueue<Future<Batch>> queue, Future<Batch> task, AtomicBoolean stopped) {
        try {
            while (!queue.offer(task, 100, TimeUnit.MILLISECONDS)) {
                if (stopped.get()) {
                    throw new CancellationException("the pass was stopped");
                }
            }
        } catch (InterruptedException e) {
            throw new CancellationException("the pass was stopped");
        }
    }

    private static Batch next(BlockingQueue<Future<Batch>> queue) {
        try {
            return queue.take().get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException("a prepare task failed", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }
}
