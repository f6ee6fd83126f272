package io.edgeslice.cli;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Message.AgentRow;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Brokers and agents as real processes on loopback, for integration tests; closes them all. Most
 * tests run the broker in their own JVM ({@link #embedded}) and only the agents as processes.
 */
class Cluster implements AutoCloseable {
    final Path dir;
    final int port;
    final String store;
    private final List<EdgeSliceProcess> processes = new ArrayList<>();
    private final List<EdgeSliceProcess> agentProcesses = new ArrayList<>();
    private final EdgeSliceClient observer;
    private Broker embedded;

    Cluster(Path dir, String store) throws IOException {
        this(dir, store, freePort());
    }

    Cluster(Path dir, String store, int port) throws IOException {
        this.dir = dir;
        this.port = port;
        this.store = store;
        this.observer = new EdgeSliceClient(endpoint());
    }

    /** A cluster around a broker in this JVM (in-memory store, models under {@code dir/models}), closed with it. */
    static Cluster embedded(Path dir) throws IOException {
        return embedded(dir, BrokerConfig.onPort(0, dir.resolve("models")));
    }

    static Cluster embedded(Path dir, BrokerConfig config) throws IOException {
        Broker broker = Broker.start(config, new InMemoryMetricTable());
        Cluster c = new Cluster(dir, "memory", broker.port());
        c.embedded = broker;
        return c;
    }

    /** The broker of an {@link #embedded} cluster. */
    Broker broker() {
        if (embedded == null) {
            throw new IllegalStateException("this cluster's broker is a process of its own");
        }
        return embedded;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    EdgeSliceProcess startBroker(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("broker", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--store", store,
                "--model-dir", dir.resolve("broker-models").toString()));
        args.addAll(List.of(extra));
        return track(EdgeSliceProcess.start("broker", log("broker"), args.toArray(String[]::new)));
    }

    EdgeSliceProcess startAgent(String name, String... extra) throws IOException {
        Path cache = dir.resolve("cache-" + name);
        Files.createDirectories(cache);
        List<String> args = new ArrayList<>(List.of("--threads", "1"));
        args.addAll(List.of(extra));
        EdgeSliceProcess p = track(EdgeSliceProcess.agent(endpoint(), name, cache, log(name), args.toArray(String[]::new)));
        agentProcesses.add(p);
        return p;
    }

    /** Starts these agents (with the same extra options) and waits until every live agent started here is healthy. */
    void startAgents(List<String> names, String... extra) throws IOException, InterruptedException {
        for (String name : names) {
            startAgent(name, extra);
        }
        long alive = agentProcesses.stream().filter(EdgeSliceProcess::isAlive).count();
        await(alive + " healthy agents", Duration.ofSeconds(30), healthy((int) alive));
    }

    void startAgents(String... names) throws IOException, InterruptedException {
        startAgents(List.of(names));
    }

    private Path log(String name) {
        Path p = dir.resolve(name + ".log");
        for (int i = 2; Files.exists(p); i++) {
            p = dir.resolve(name + "-" + i + ".log");
        }
        return p;
    }

    private EdgeSliceProcess track(EdgeSliceProcess p) {
        processes.add(p);
        return p;
    }

    List<EdgeSliceProcess> processes() {
        return List.copyOf(processes);
    }

    List<AgentRow> agents() {
        return observer.agents(Duration.ofSeconds(10));
    }

    Optional<AgentRow> agent(String name) {
        return agents().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** Polls the Metric Table until the predicate holds; returns the elapsed ms, or fails after the timeout. */
    long await(String what, Duration timeout, Predicate<List<AgentRow>> condition) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        List<AgentRow> last = List.of();
        while (System.nanoTime() < end) {
            last = agents();
            if (condition.test(last)) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; Metric Table: " + last + "\nlogs in " + dir);
    }

    static Predicate<List<AgentRow>> state(String name, String state) {
        return rows -> rows.stream().anyMatch(r -> r.name().equals(name) && r.state().equals(state));
    }

    static Predicate<List<AgentRow>> healthy(int count) {
        return rows -> rows.stream().filter(r -> r.state().equals("healthy")).count() >= count;
    }

    @Override
    public void close() throws Exception {
        observer.close();
        for (EdgeSliceProcess p : processes) {
            p.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
