package io.edgeslice.cli;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of latencies, and a trimmed mean. */
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

    /**
     * The mean of the values left when the lowest and the highest {@code fraction} of them are set
     * aside (each end rounded down): continuous in the values, unlike a median, yet not moved by a
     * few stragglers, unlike the mean.
     */
    static double trimmedMean(List<Double> values, double fraction) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int k = (int) Math.floor(fraction * v.length);
        return Arrays.stream(v, k, v.length - k).average().orElseThrow();
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
