package io.edgeslice.cli;

import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.broker.store.MetricTable;
import io.edgeslice.broker.store.RedisMetricTable;

/** Parses {@code --store memory|redis://HOST:PORT}. */
final class StoreOption {
    private StoreOption() {
    }

    static MetricTable open(String spec) {
        if (spec == null || spec.equals("memory")) {
            return new InMemoryMetricTable();
        }
        if (spec.startsWith("redis://")) {
            return RedisMetricTable.connect(spec, "edgeslice:");
        }
        throw new IllegalArgumentException("--store must be 'memory' or 'redis://HOST:PORT', got '" + spec + "'");
    }
}
