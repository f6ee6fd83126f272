package io.edgeslice.console;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the broker's snapshot, the new metric samples of every agent and the new events on a
 * thread of its own, at most every {@link #MIN_INTERVAL}, and hands each poll to the FX thread as
 * one {@link ConsoleUpdate}. While the FX thread has not applied the last update, no new one is
 * taken: a slow UI lowers the rate instead of queueing work.
 */
public final class SnapshotPoller implements AutoCloseable {
    /** The UI takes at most four snapshots a second. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(250);
    /** Samples kept per agent: 15 minutes of 1 Hz heartbeats, the widest chart window. */
    public static final int HISTORY_CAPACITY = 900;
    private static final Logger log = LoggerFactory.getLogger(SnapshotPoller.class);

    private final ConsoleSource source;
    private final UiDispatcher ui;
    private final Consumer<ConsoleUpdate> apply;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final Map<String, Long> lastSampleMs = new HashMap<>();
    private volatile long intervalMs = MIN_INTERVAL.toMillis();
    private volatile boolean running = true;
    private long lastSeq = -1;

    public SnapshotPoller(ConsoleSource source, UiDispatcher ui, Consumer<ConsoleUpdate> apply) {
        this.source = source;
        this.ui = ui;
        this.apply = apply;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-poller");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.schedule(this::tick, 0, TimeUnit.MILLISECONDS);
    }

    /** How often to poll; below {@link #MIN_INTERVAL} is raised to it. Takes effect after the next poll. */
    public void setInterval(Duration interval) {
        intervalMs = Math.max(MIN_INTERVAL.toMillis(), interval.toMillis());
    }

    public Duration interval() {
        return Duration.ofMillis(intervalMs);
    }

    private void tick() {
        try {
            if (!inFlight.get()) {
                poll();
            }
        } catch (RuntimeException e) {
            log.warn("console poll failed", e);
        } finally {
            if (running) {
                thread.schedule(this::tick, intervalMs, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** One poll, on the poller thread (or the caller's, in tests). */
    void poll() {
        BrokerSnapshot snap = source.snapshot();
        if (snap == null) {
            return;
        }
        long now = System.currentTimeMillis();
        String problem = null;
        Map<String, List<AgentMetrics>> samples = new LinkedHashMap<>();
        Set<String> present = new HashSet<>();
        for (Message.AgentRow row : snap.agents()) {
            present.add(row.name());
            Long last = lastSampleMs.get(row.name());
            if (last != null && row.state().equals("lost")) {
                continue; // a lost agent sends nothing new
            }
            // first sight: the whole window; then what can have arrived since the last sample (1 Hz), plus slack
            int max = last == null ? HISTORY_CAPACITY
                    : (int) Math.max(3, Math.min(HISTORY_CAPACITY, (now - last) / 1000 + 3));
            try {
                List<AgentMetrics> fresh = newer(source.history(row.name(), max), last == null ? Long.MIN_VALUE : last);
                if (!fresh.isEmpty()) {
                    samples.put(row.name(), fresh);
                    lastSampleMs.put(row.name(), fresh.get(fresh.size() - 1).timestampMs());
                }
            } catch (RuntimeException e) {
                problem = "cannot read metric history from the store: " + e.getMessage();
            }
        }
        lastSampleMs.keySet().retainAll(present);
        List<BrokerEvent> events = new ArrayList<>();
        for (BrokerEvent e : snap.events()) {
            if (e.seq() > lastSeq) {
                events.add(e);
            }
        }
        if (!events.isEmpty()) {
            lastSeq = events.get(events.size() - 1).seq();
        }
        ConsoleUpdate update = new ConsoleUpdate(snap, samples, events, now, problem);
        inFlight.set(true);
        ui.submit(() -> {
            try {
                apply.accept(update);
            } finally {
                inFlight.set(false);
            }
        });
    }

    private static List<AgentMetrics> newer(List<AgentMetrics> history, long afterMs) {
        List<AgentMetrics> out = new ArrayList<>();
        for (AgentMetrics m : history) {
            if (m.timestampMs() > afterMs) {
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void close() {
        running = false;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
    }
}
