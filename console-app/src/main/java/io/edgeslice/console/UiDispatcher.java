package io.edgeslice.console;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javafx.application.Platform;

/**
 * The one place where background work reaches the FX thread. Results of background tasks and the
 * poller's snapshot updates are queued here and applied together in a single FX-thread runnable, so
 * however many arrive, the FX thread gets one batch per pulse at most.
 */
public final class UiDispatcher {
    private final Executor fxThread;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong busyNanos = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();

    private UiDispatcher(Executor fxThread) {
        this.fxThread = fxThread;
    }

    /** Applies batches on the JavaFX application thread. */
    public static UiDispatcher fx() {
        return new UiDispatcher(Platform::runLater);
    }

    /** Applies batches with the given executor: the calling thread in view-model tests. */
    public static UiDispatcher on(Executor executor) {
        return new UiDispatcher(executor);
    }

    /** Queues an action for the FX thread; safe from any thread. */
    public void submit(Runnable action) {
        queue.add(action);
        if (scheduled.compareAndSet(false, true)) {
            fxThread.execute(this::drain);
        }
    }

    /** Runs {@code work} on the FX thread (in the next batch) and hands its result back to the caller's thread. */
    public <T> CompletableFuture<T> call(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private void drain() {
        // cleared first: an action queued while this batch runs schedules the next batch
        scheduled.set(false);
        long start = System.nanoTime();
        for (Runnable r; (r = queue.poll()) != null; ) {
            r.run();
        }
        busyNanos.addAndGet(System.nanoTime() - start);
        batches.incrementAndGet();
    }

    /** FX-thread time spent applying batches since start, for the benchmark. */
    public long busyNanos() {
        return busyNanos.get();
    }

    public long batches() {
        return batches.get();
    }
}
