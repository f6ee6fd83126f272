package io.edgeslice.cli;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of latencies. */
final class Percentiles {
    private Percentiles() {
    }

    static double of(List<Double> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
