package io.edgeslice.console.agents;

import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.protocol.Message;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/** One row of the Metric Table, updated in place as snapshots arrive. FX thread only. */
public final class AgentItem {
    /** CPU samples kept for the row's sparkline (one a second). */
    public static final int TREND_POINTS = 60;

    private final String name;
    private final String color;
    private final ReadOnlyObjectWrapper<Message.AgentRow> row = new ReadOnlyObjectWrapper<>(this, "row");
    private final ReadOnlyObjectWrapper<AgentStatus> status = new ReadOnlyObjectWrapper<>(this, "status");
    private final ReadOnlyObjectWrapper<List<String>> modelLabels = new ReadOnlyObjectWrapper<>(this, "modelLabels", List.of());
    private final ReadOnlyObjectWrapper<double[]> cpuTrend = new ReadOnlyObjectWrapper<>(this, "cpuTrend", new double[0]);
    private final double[] ring = new double[TREND_POINTS];
    private int ringSize;
    private int ringStart;

    AgentItem(Message.AgentRow first, String color) {
        this.name = first.name();
        this.color = color;
        update(first, List.of());
    }

    void update(Message.AgentRow r, List<String> labels) {
        // labels and state first: cells redraw when the row changes and read them then
        if (!labels.equals(modelLabels.get())) {
            modelLabels.set(List.copyOf(labels));
        }
        status.set(AgentStatus.of(r.state()));
        row.set(r);
    }

    void addSamples(List<AgentMetrics> samples) {
        if (samples.isEmpty()) {
            return;
        }
        for (AgentMetrics m : samples) {
            ring[(ringStart + ringSize) % TREND_POINTS] = m.cpuPercent();
            if (ringSize < TREND_POINTS) {
                ringSize++;
            } else {
                ringStart = (ringStart + 1) % TREND_POINTS;
            }
        }
        double[] trend = new double[ringSize];
        for (int i = 0; i < ringSize; i++) {
            trend[i] = ring[(ringStart + i) % TREND_POINTS];
        }
        cpuTrend.set(trend);
    }

    public String name() {
        return name;
    }

    /** The agent's colour in the DAG and the charts (CSS hex). */
    public String color() {
        return color;
    }

    /** The latest row from the broker; the table's cells each show one of its fields. */
    public ReadOnlyObjectProperty<Message.AgentRow> rowProperty() {
        return row.getReadOnlyProperty();
    }

    public Message.AgentRow row() {
        return row.get();
    }

    public ReadOnlyObjectProperty<AgentStatus> statusProperty() {
        return status.getReadOnlyProperty();
    }

    public AgentStatus status() {
        return status.get();
    }

    /** Not healthy: its numbers are the last ones heard, not live. */
    public boolean stale() {
        return status.get() != AgentStatus.HEALTHY;
    }

    /** The hosted models by the names the console knows them by (short hashes otherwise). */
    public ReadOnlyObjectProperty<List<String>> modelLabelsProperty() {
        return modelLabels.getReadOnlyProperty();
    }

    /** The last {@link #TREND_POINTS} CPU samples, oldest first; a new array on every change. */
    public ReadOnlyObjectProperty<double[]> cpuTrendProperty() {
        return cpuTrend.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return name + " " + status.get() + " " + Arrays.toString(cpuTrend.get());
    }
}
