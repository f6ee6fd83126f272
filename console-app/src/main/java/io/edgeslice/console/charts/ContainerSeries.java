package io.edgeslice.console.charts;

import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.console.SnapshotPoller;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;

/**
 * A named runtime with metric series. Today each agent is one (the broker reports per-agent
 * metrics); per-slice containers become more of them when pipelines run. Latency and bytes in/out
 * are series only where a source exists: latency of the tasks this console sent, no network
 * counters yet. FX thread only.
 */
public final class ContainerSeries {
    /** What a container is, said in the UI. */
    public enum Scope { AGENT }

    private static final int CAPACITY = SnapshotPoller.HISTORY_CAPACITY;

    private final String name;
    private final Scope scope;
    private final String color;
    private final MetricSeries cpu = new MetricSeries(CAPACITY);
    private final MetricSeries memoryUsed = new MetricSeries(CAPACITY);
    private final MetricSeries requestsPerSecond = new MetricSeries(CAPACITY);
    private final MetricSeries inflight = new MetricSeries(CAPACITY);
    private final MetricSeries latencyP50 = new MetricSeries(CAPACITY);
    private final MetricSeries latencyP95 = new MetricSeries(CAPACITY);
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");
    private long memoryTotal = -1;
    private AgentMetrics previous;
    private long latencySecond = Long.MIN_VALUE;
    private double[] latencies = new double[16];
    private int latencyCount;

    public ContainerSeries(String name, Scope scope, String color) {
        this.name = name;
        this.scope = scope;
        this.color = color;
    }

    void addAgentSamples(List<AgentMetrics> samples) {
        for (AgentMetrics m : samples) {
            if (m.cpuPercent() >= 0) {
                cpu.add(m.timestampMs(), m.cpuPercent());
            }
            if (m.memoryUsedBytes() >= 0) {
                memoryUsed.add(m.timestampMs(), m.memoryUsedBytes());
            }
            memoryTotal = m.memoryTotalBytes();
            inflight.add(m.timestampMs(), m.inflight());
            if (previous != null && m.timestampMs() > previous.timestampMs()) {
                // a restarted agent counts from zero again: no negative rates
                long done = Math.max(0, m.tasksDone() - previous.tasksDone());
                requestsPerSecond.add(m.timestampMs(), done * 1000.0 / (m.timestampMs() - previous.timestampMs()));
            }
            previous = m;
        }
        if (!samples.isEmpty()) {
            revision.set(revision.get() + 1);
        }
    }

    /** A task this console sent finished on this runtime; latencies are summarised per second. */
    void addLatency(long timeMs, double ms) {
        long second = timeMs / 1000;
        if (second != latencySecond) {
            flushLatencies();
            latencySecond = second;
        }
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = ms;
    }

    /** Closes the current second's latency bucket if it is over. */
    void flushLatencies(long nowMs) {
        if (latencyCount > 0 && nowMs / 1000 > latencySecond) {
            flushLatencies();
        }
    }

    private void flushLatencies() {
        if (latencyCount == 0) {
            return;
        }
        double[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        long t = latencySecond * 1000 + 999;
        latencyP50.add(t, percentile(sorted, 50));
        latencyP95.add(t, percentile(sorted, 95));
        latencyCount = 0;
        revision.set(revision.get() + 1);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public String name() {
        return name;
    }

    public Scope scope() {
        return scope;
    }

    public String color() {
        return color;
    }

    public MetricSeries cpu() {
        return cpu;
    }

    public MetricSeries memoryUsed() {
        return memoryUsed;
    }

    /** The runtime's memory limit (the agent's total memory today), or -1 if unknown. */
    public long memoryTotal() {
        return memoryTotal;
    }

    public MetricSeries requestsPerSecond() {
        return requestsPerSecond;
    }

    public MetricSeries inflight() {
        return inflight;
    }

    public MetricSeries latencyP50() {
        return latencyP50;
    }

    public MetricSeries latencyP95() {
        return latencyP95;
    }

    /** Incremented whenever a series gets points: what chart views redraw on. */
    public ReadOnlyLongProperty revisionProperty() {
        return revision.getReadOnlyProperty();
    }
}
