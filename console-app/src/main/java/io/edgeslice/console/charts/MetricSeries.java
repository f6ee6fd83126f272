package io.edgeslice.console.charts;

/** A bounded series of timestamped values, oldest dropped first. Not thread-safe: FX thread only. */
public final class MetricSeries {
    private final long[] times;
    private final double[] values;
    private int start;
    private int size;

    public MetricSeries(int capacity) {
        times = new long[capacity];
        values = new double[capacity];
    }

    public void add(long timeMs, double value) {
        int i = (start + size) % times.length;
        times[i] = timeMs;
        values[i] = value;
        if (size < times.length) {
            size++;
        } else {
            start = (start + 1) % times.length;
        }
    }

    public int size() {
        return size;
    }

    public long time(int i) {
        return times[(start + i) % times.length];
    }

    public double value(int i) {
        return values[(start + i) % values.length];
    }

    /** The newest value, or NaN when empty. */
    public double last() {
        return size == 0 ? Double.NaN : value(size - 1);
    }

    /** Index of the first point at or after {@code fromMs}. */
    public int firstAtOrAfter(long fromMs) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (time(mid) < fromMs) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Largest value from {@code from} on, or NaN when there is none. */
    public double max(int from) {
        double m = Double.NaN;
        for (int i = from; i < size; i++) {
            m = Double.isNaN(m) ? value(i) : Math.max(m, value(i));
        }
        return m;
    }
}
