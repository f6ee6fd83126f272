package io.edgeslice.console;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.Ticker;
import io.edgeslice.console.agents.AgentStatus;
import io.edgeslice.console.charts.ContainerSeries;
import io.edgeslice.console.agents.DeploymentItem;
import io.edgeslice.console.demo.ConsoleDemo;
import io.edgeslice.console.models.ModelItem;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code edgeslice console}: the broker, embedded, and its control console in a window (or
 * rendered headless into a PNG). The command line calls {@link #run}; nothing here prints.
 */
public final class ConsoleApp {
    /** How long a screenshot waits for the demo to populate every view. */
    static final Duration SCREENSHOT_WAIT = Duration.ofMinutes(4);
    /** Without the demo, the screenshot is taken after this long. */
    static final Duration SCREENSHOT_SETTLE = Duration.ofSeconds(3);
    /** Chart points (one a second) each runtime has before the screenshot: half a minute of history. */
    static final int SCREENSHOT_POINTS = 30;
    private static final Logger log = LoggerFactory.getLogger(ConsoleApp.class);
    /** Start-up and the screenshot reach the FX thread through a dispatcher too; no other path exists. */
    private static final UiDispatcher FX = UiDispatcher.fx();

    private ConsoleApp() {
    }

    /**
     * Runs the console until its window is closed, or until the screenshot is written. Returns
     * the exit code: 0, or 1 if the screenshot could not be taken with every view populated.
     */
    public static int run(ConsoleOptions o) throws Exception {
        if (o.screenshot() != null) {
            Screenshots.useHeadlessGlass();
        } else {
            requireDisplay();
        }
        BrokerConfig config = new BrokerConfig(o.bindEndpoint(), BrokerConfig.DEFAULT_MAX_MESSAGE_BYTES, BrokerConfig.DEFAULT_MAX_MODEL_BYTES,
                o.modelDir(), Ticker.system());
        try (Broker broker = Broker.start(config, o.store())) {
            ConsoleSource source = ConsoleSource.of(broker, o.bindEndpoint());
            CountDownLatch started = new CountDownLatch(1);
            Platform.startup(started::countDown);
            started.await();
            Platform.setImplicitExit(false);
            CountDownLatch closed = new CountDownLatch(1);
            AtomicReference<ConsoleRuntime> runtime = new AtomicReference<>();
            AtomicReference<Stage> stage = new AtomicReference<>();
            onFx(() -> {
                ConsoleRuntime rt = ConsoleRuntime.start(source);
                Stage s = new Stage();
                s.setOnHidden(e -> closed.countDown());
                ConsoleWindow.show(s, rt);
                runtime.set(rt);
                stage.set(s);
                return null;
            }).get(60, TimeUnit.SECONDS);
            ConsoleDemo demo = o.demo() ? ConsoleDemo.start(runtime.get(), o.launcher(), o.home(), broker.endpoint(), o.demoAgents()) : null;
            try {
                if (o.screenshot() != null) {
                    return screenshot(o, runtime.get(), stage.get(), demo);
                }
                closed.await();
                return 0;
            } finally {
                if (demo != null) {
                    demo.close();
                }
                runtime.get().close();
                Platform.exit();
            }
        }
    }

    private static void requireDisplay() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (linux && System.getProperty("glass.platform") == null && System.getenv("DISPLAY") == null
                && System.getenv("WAYLAND_DISPLAY") == null) {
            throw new IllegalStateException("no display: the console needs a desktop session (DISPLAY is not set); "
                    + "use --screenshot FILE.png to render it headless");
        }
    }

    private static int screenshot(ConsoleOptions o, ConsoleRuntime rt, Stage stage, ConsoleDemo demo) throws Exception {
        String missing = demo != null ? awaitPopulated(rt, o.demoAgents(), demo) : settle();
        BufferedImage image = onFx(() -> {
            ModelItem shown = rt.viewModel().models().selectedProperty().get();
            if (shown != null && !shown.hostedOn().isEmpty()) {
                rt.viewModel().selection().agentProperty().set(shown.hostedOn().get(0));
            }
            return null;
        }).thenCompose(x -> onFx(() -> null)) // one more pulse for the selection's styles and layout
                .thenCompose(x -> onFx(() -> Screenshots.render(stage.getScene()))).get(60, TimeUnit.SECONDS);
        Screenshots.write(image, o.screenshot());
        log.info("screenshot {} ({}x{}) written", o.screenshot(), image.getWidth(), image.getHeight());
        if (missing != null) {
            throw new IllegalStateException("screenshot written, but not every view was populated: " + missing);
        }
        return 0;
    }

    private static String settle() throws InterruptedException {
        Thread.sleep(SCREENSHOT_SETTLE.toMillis());
        return null;
    }

    /** Waits until the demo has filled every view; returns what is still missing at the deadline, or null. */
    private static String awaitPopulated(ConsoleRuntime rt, int agents, ConsoleDemo demo) throws Exception {
        long end = System.nanoTime() + SCREENSHOT_WAIT.toNanos();
        String missing;
        do {
            Thread.sleep(500);
            if (demo.failure() != null) {
                return "the demo stopped: " + demo.failure();
            }
            missing = onFx(() -> missing(rt.viewModel(), agents)).get(30, TimeUnit.SECONDS);
        } while (missing != null && System.nanoTime() < end);
        return missing;
    }

    /** What a populated console still lacks, or null. FX thread. */
    static String missing(ConsoleViewModel vm, int agents) {
        long healthy = vm.agents().allRows().stream().filter(a -> a.status() == AgentStatus.HEALTHY).count();
        if (healthy < agents) {
            return healthy + " of " + agents + " agents healthy";
        }
        if (vm.models().models().size() < 3 || vm.models().models().stream().anyMatch(m -> m.status() != ModelItem.Status.READY)) {
            return "the sample models are not all analysed";
        }
        if (vm.dag().sceneProperty().get() == null || vm.dag().placementsProperty().get().isEmpty()
                || vm.dag().placementsProperty().get().get(0).agents().isEmpty()) {
            return "the DAG of the selected model is not laid out and placed";
        }
        if (vm.deployments().deployments().stream().noneMatch(d -> d.state() == DeploymentItem.State.DONE)) {
            return "no deployment has completed";
        }
        for (ContainerSeries c : vm.charts().containers()) {
            if (c.cpu().size() < SCREENSHOT_POINTS) {
                return "charts of " + c.name() + " have " + c.cpu().size() + " points";
            }
        }
        if (vm.charts().containers().stream().noneMatch(c -> c.latencyP50().size() >= 3)) {
            return "no latency points yet";
        }
        return vm.events().all().isEmpty() ? "no events" : null;
    }

    private static <T> CompletableFuture<T> onFx(Supplier<T> work) {
        return FX.call(work);
    }
}
