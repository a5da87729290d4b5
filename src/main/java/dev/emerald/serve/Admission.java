package dev.emerald.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many generations run at once (parallel; they take turns token by token) and how many requests may wait for
 * one of those places (queue), first come first served; a request beyond both is turned away at once.
 */
final class Admission {
    private final int parallel;
    private final int queue;
    private final Semaphore places;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(int parallel, int queue) {
        this.parallel = parallel;
        this.queue = queue;
        this.places = new Semaphore(parallel, true);
    }

    /** Waits for a place; false, at once, when queue requests are waiting already. Call {@link #leave} after a true. */
    boolean enter() throws InterruptedException {
        // the timed form, unlike tryAcquire(), does not jump the fair queue
        if (places.tryAcquire(0, TimeUnit.SECONDS)) {
            return true;
        }
        if (waiting.incrementAndGet() > queue) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            places.acquire();
            return true;
        } finally {
            waiting.decrementAndGet();
        }
    }

    void leave() {
        places.release();
    }

    int running() {
        return parallel - places.availablePermits();
    }

    int waiting() {
        return waiting.get();
    }
}
