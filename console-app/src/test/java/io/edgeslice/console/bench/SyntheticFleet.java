package io.edgeslice.console.bench;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.console.ConsoleSource;
import io.edgeslice.protocol.Message;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A fleet of agents that exist only here: each heartbeats once a second at its own phase (CPU and
 * memory wander, tasks complete), a few change state now and then, and a snapshot is published
 * every 250 ms as the broker does. Stands in for the broker in the console benchmark.
 */
final class SyntheticFleet implements ConsoleSource, AutoCloseable {
    private static final long GB = 1_000_000_000L;
    private static final int HISTORY = 900;

    private final class Agent {
        final String name;
        final int phaseMs;
        final Deque<AgentMetrics> history = new ArrayDeque<>();
        String state = "healthy";
        double cpu;
        long memory;
        long done;
        long lastBeatMs;

        Agent(String name, int phaseMs) {
            this.name = name;
            this.phaseMs = phaseMs;
        }

        synchronized void beat(long now) {
            cpu = Math.max(0, Math.min(100, cpu + ThreadLocalRandom.current().nextDouble(-8, 8)));
            memory = Math.max(GB / 2, Math.min(7 * GB, memory + ThreadLocalRandom.current().nextLong(-50_000_000, 50_000_000)));
            done += ThreadLocalRandom.current().nextInt(4);
            lastBeatMs = now;
            history.addLast(new AgentMetrics(now, cpu, memory, 8 * GB, cpu / 25, ThreadLocalRandom.current().nextInt(2), List.of("m" + (phaseMs % 3)), done, 0));
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
        }

        synchronized Message.AgentRow row(long now) {
            return new Message.AgentRow(name, "host-" + name, "aarch64", 4, state, cpu, memory, 8 * GB, cpu / 25, ThreadLocalRandom.current().nextInt(2),
                    now - lastBeatMs, List.of("m" + (phaseMs % 3)), done, 0, "tcp://10.0.0.1:7000", "");
        }

        synchronized List<AgentMetrics> last(int max) {
            List<AgentMetrics> all = new ArrayList<>(history);
            return all.subList(Math.max(0, all.size() - max), all.size());
        }
    }

    private final List<Agent> agents = new ArrayList<>();
    private final List<BrokerEvent> events = new ArrayList<>();
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "synthetic-fleet");
        t.setDaemon(true);
        return t;
    });
    private volatile BrokerSnapshot snapshot;
    private long seq;
    private long completed;

    SyntheticFleet(int count) {
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            Agent a = new Agent(String.format("edge-%03d", i), (int) (1000L * i / count));
            a.cpu = ThreadLocalRandom.current().nextDouble(5, 80);
            a.memory = ThreadLocalRandom.current().nextLong(GB, 6 * GB);
            // a minute of history already, as a broker that ran before the console would have
            for (int s = 60; s > 0; s--) {
                a.beat(now - s * 1000L + a.phaseMs);
            }
            agents.add(a);
        }
        publish();
        // heartbeats in 50 ms slots, each agent in the slot of its phase: 1 Hz each, spread over the second
        threads.scheduleAtFixedRate(this::beatSlot, 0, 50, TimeUnit.MILLISECONDS);
        threads.scheduleAtFixedRate(this::publish, 250, 250, TimeUnit.MILLISECONDS);
        threads.scheduleAtFixedRate(this::flipStates, 3, 3, TimeUnit.SECONDS);
    }

    private void beatSlot() {
        long now = System.currentTimeMillis();
        int slot = (int) (now % 1000) / 50;
        for (Agent a : agents) {
            if (a.phaseMs / 50 == slot && !a.state.equals("lost")) {
                a.beat(now);
            }
        }
    }

    /** Every few seconds one agent turns suspect, one lost, one recovers: events and re-sorts. */
    private synchronized void flipStates() {
        Agent a = agents.get(ThreadLocalRandom.current().nextInt(agents.size()));
        String next = switch (a.state) {
            case "healthy" -> "suspect";
            case "suspect" -> "lost";
            default -> "healthy";
        };
        a.state = next;
        completed += 10;
        events.add(new BrokerEvent(++seq, System.currentTimeMillis(), next.equals("healthy") ? BrokerEvent.Severity.INFO
                : BrokerEvent.Severity.WARNING, BrokerEvent.Kind.AGENT_SUSPECT, a.name, "agent " + a.name + " is " + next));
        if (events.size() > 500) {
            events.remove(0);
        }
    }

    private synchronized void publish() {
        long now = System.currentTimeMillis();
        List<Message.AgentRow> rows = new ArrayList<>(agents.size());
        for (Agent a : agents) {
            rows.add(a.row(now));
        }
        completed += agents.size() / 4;
        snapshot = new BrokerSnapshot("tcp://127.0.0.1:5555", "synthetic", rows, 3, agents.size() / 10, completed, completed, 0, 0, 0,
                events, java.util.List.of());
    }

    @Override
    public BrokerSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public List<AgentMetrics> history(String agent, int max) {
        for (Agent a : agents) {
            if (a.name.equals(agent)) {
                return a.last(max);
            }
        }
        return List.of();
    }

    @Override
    public CompletableFuture<Void> deploy(String modelHash, String agent) {
        return CompletableFuture.failedFuture(new IllegalStateException("the synthetic fleet runs no models"));
    }

    @Override
    public String importModel(Path file) {
        return io.edgeslice.slicer.OnnxModel.sha256(file);
    }

    @Override
    public CompletableFuture<Message.Route> deployRoute(String modelHash, List<Message.Stage> stages, io.edgeslice.protocol.Transport transport) {
        return CompletableFuture.failedFuture(new IllegalStateException("the synthetic fleet runs no models"));
    }

    @Override
    public io.edgeslice.planner.MeasuredPlanner.Measurements measure(String modelHash, long modelSize, io.edgeslice.slicer.Analysis a,
                                                                   List<Message.AgentRow> agents,
                                                                   java.util.function.Consumer<io.edgeslice.client.MeasureProgress> profiling,
                                                                   java.util.function.Consumer<io.edgeslice.client.MeasureProgress> links) {
        throw new IllegalStateException("the synthetic fleet's agents measure nothing");
    }

    @Override
    public CompletableFuture<Message.Route> moveSlice(String modelHash, int start, String agent) {
        return CompletableFuture.failedFuture(new IllegalStateException("the synthetic fleet runs no models"));
    }

    @Override
    public CompletableFuture<List<Message.Route>> undeployRoutes(String modelHash) {
        return CompletableFuture.failedFuture(new IllegalStateException("the synthetic fleet runs no models"));
    }

    @Override
    public List<String> endpoints() {
        return List.of("synthetic (" + agents.size() + " agents)");
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
