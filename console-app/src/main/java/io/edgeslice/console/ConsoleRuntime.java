package io.edgeslice.console;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;

/**
 * A running console without its window: the view-models, the poller that feeds them, and the
 * background threads (file reads, model analysis, commands on one pool; DAG layouts on another, so
 * a long analysis never delays a relayout). Created on the FX thread.
 */
public final class ConsoleRuntime implements AutoCloseable {
    private final ConsoleSource source;
    private final UiDispatcher ui;
    private final ExecutorService background = Executors.newFixedThreadPool(2, daemon("console-work"));
    private final ExecutorService layout = Executors.newSingleThreadExecutor(daemon("console-layout"));
    private final ConsoleViewModel viewModel;
    private final SnapshotPoller poller;

    private ConsoleRuntime(ConsoleSource source, UiDispatcher ui) {
        this.source = source;
        this.ui = ui;
        this.viewModel = new ConsoleViewModel(source, ui, background, layout, System::currentTimeMillis);
        this.poller = new SnapshotPoller(source, ui, viewModel::apply);
        viewModel.charts().refreshProperty().addListener((o, was, now) -> poller.setInterval(now));
        poller.setInterval(viewModel.charts().refreshProperty().get());
    }

    /** Builds the view-models and starts polling {@code source}; on the FX thread. */
    public static ConsoleRuntime start(ConsoleSource source) {
        if (!Platform.isFxApplicationThread()) {
            throw new IllegalStateException("the console runtime is created on the JavaFX application thread");
        }
        ConsoleRuntime r = new ConsoleRuntime(source, UiDispatcher.fx());
        r.poller.start();
        return r;
    }

    public ConsoleSource source() {
        return source;
    }

    public UiDispatcher ui() {
        return ui;
    }

    public ConsoleViewModel viewModel() {
        return viewModel;
    }

    public SnapshotPoller poller() {
        return poller;
    }

    /** Stops polling (closing the source's own connections) and the background threads; the broker is the caller's to close. */
    @Override
    public void close() {
        poller.close();
        background.shutdownNow();
        layout.shutdownNow();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
            layout.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
