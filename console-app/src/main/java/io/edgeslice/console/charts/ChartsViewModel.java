package io.edgeslice.console.charts;

import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.SnapshotPoller;
import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Per-runtime charts over time: CPU, memory, requests per second, in-flight tasks and, where the
 * data exists, latency. The window and the refresh rate are the operator's. FX thread only.
 */
public final class ChartsViewModel {
    /** Windows the operator can pick. */
    public static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15));
    /** Refresh intervals the operator can pick; never faster than the poller's minimum. */
    public static final List<Duration> REFRESH = List.of(SnapshotPoller.MIN_INTERVAL, Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2));

    private final AgentColors colors;
    private final ConsoleSelection selection;
    private final ObservableList<ContainerSeries> containers = FXCollections.observableArrayList();
    private final Map<String, ContainerSeries> byName = new HashMap<>();
    private final ObjectProperty<Duration> window = new SimpleObjectProperty<>(this, "window", WINDOWS.get(0));
    private final ObjectProperty<Duration> refresh = new SimpleObjectProperty<>(this, "refresh", REFRESH.get(0));
    private final ReadOnlyLongWrapper tick = new ReadOnlyLongWrapper(this, "tick");

    public ChartsViewModel(AgentColors colors, ConsoleSelection selection) {
        this.colors = colors;
        this.selection = selection;
    }

    /** Adds the new samples of every agent; an agent seen for the first time gets a container. */
    public void apply(List<Message.AgentRow> rows, Map<String, List<AgentMetrics>> samples, long nowMs) {
        for (Message.AgentRow r : rows) {
            ContainerSeries c = container(r.name());
            c.addAgentSamples(samples.getOrDefault(r.name(), List.of()));
            c.flushLatencies(nowMs);
        }
        tick.set(tick.get() + 1);
    }

    /** Incremented by every poll applied: charts redraw on it (their time axis moves even without new points). */
    public ReadOnlyLongProperty tickProperty() {
        return tick.getReadOnlyProperty();
    }

    /** A task sent by this console finished on {@code agent} after {@code ms}. */
    public void recordLatency(String agent, long timeMs, double ms) {
        container(agent).addLatency(timeMs, ms);
    }

    private ContainerSeries container(String name) {
        return byName.computeIfAbsent(name, n -> {
            ContainerSeries c = new ContainerSeries(n, ContainerSeries.Scope.AGENT, colors.of(n));
            containers.add(c);
            return c;
        });
    }

    public ObservableList<ContainerSeries> containers() {
        return FXCollections.unmodifiableObservableList(containers);
    }

    public ContainerSeries find(String name) {
        return byName.get(name);
    }

    /** How much time the charts show. */
    public ObjectProperty<Duration> windowProperty() {
        return window;
    }

    /** How often the console polls the broker. */
    public ObjectProperty<Duration> refreshProperty() {
        return refresh;
    }

    public ConsoleSelection selection() {
        return selection;
    }
}
