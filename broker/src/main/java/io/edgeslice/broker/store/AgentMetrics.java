package io.edgeslice.broker.store;

import java.util.List;

/** One heartbeat's worth of measurements, stamped with the broker's wall clock. */
public record AgentMetrics(long timestampMs, double cpuPercent, long memoryUsedBytes, long memoryTotalBytes,
                           double loadAverage, int inflight, List<String> cachedModels, long tasksDone, long tasksFailed) {
    public AgentMetrics {
        cachedModels = List.copyOf(cachedModels);
    }
}
