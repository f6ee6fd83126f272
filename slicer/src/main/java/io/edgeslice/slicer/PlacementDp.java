package io.edgeslice.slicer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Exact dynamic programs placing consecutive stages on devices. Throughput is solved in two passes:
 * first the smallest possible period, then the lowest latency among plans whose every step fits in
 * that period, so ties in the period are broken sensibly and still exactly.
 */
final class PlacementDp {
    /** The any-order DP keeps one state per subset of devices. */
    static final int MAX_DEVICES = 12;
    private static final double INF = Double.POSITIVE_INFINITY;

    private PlacementDp() {
    }

    /** Best placement over every ordered choice of distinct devices, each holding one non-empty stage. */
    static Placement best(CostModel c, Objective o) {
        if (c.devices > MAX_DEVICES) {
            throw new SlicingException("the planner handles at most " + MAX_DEVICES + " nodes, got " + c.devices);
        }
        if (o == Objective.LATENCY) {
            return any(c, false, INF);
        }
        return any(c, false, slack(any(c, true, INF).periodMs()));
    }

    /** Best placement of exactly one non-empty stage per device of {@code order}, in that order. */
    static Placement bestPath(CostModel c, int[] order, Objective o) {
        if (order.length == 0 || order.length > c.segments) {
            throw new SlicingException("cannot place " + order.length + " stages on " + c.segments + " profiled segments");
        }
        if (o == Objective.LATENCY) {
            return path(c, order, false, INF);
        }
        return path(c, order, false, slack(path(c, order, true, INF).periodMs()));
    }

    private static double slack(double period) {
        return period + 1e-9 * Math.abs(period);
    }

    private static double combine(boolean minMax, double a, double b, double c) {
        return minMax ? Math.max(a, Math.max(b, c)) : a + b + c;
    }

    private static Placement any(CostModel c, boolean minMax, double cap) {
        int d = c.devices;
        int m = c.segments;
        int states = (1 << d) * d * (m + 1);
        double[] f = new double[states];
        int[] parent = new int[states];
        Arrays.fill(f, INF);
        for (int dev = 0; dev < d; dev++) {
            double hop = c.transfer(c.source, dev, 0);
            for (int j = 1; j <= m && hop <= cap; j++) {
                double work = c.compute(dev, 0, j);
                if (work <= cap) {
                    int s = index(1 << dev, dev, j, d, m);
                    f[s] = combine(minMax, 0, hop, work);
                    parent[s] = -1;
                }
            }
        }
        int bestState = -1;
        double best = INF;
        for (int set = 1; set < 1 << d; set++) {
            for (int dev = 0; dev < d; dev++) {
                if ((set & 1 << dev) == 0) {
                    continue;
                }
                for (int j = 1; j <= m; j++) {
                    int s = index(set, dev, j, d, m);
                    double v = f[s];
                    if (v == INF) {
                        continue;
                    }
                    if (j == m) {
                        double result = c.transfer(dev, c.sink, m);
                        double total = combine(minMax, v, result, 0);
                        if (result <= cap && total < best) {
                            best = total;
                            bestState = s;
                        }
                        continue;
                    }
                    for (int e = 0; e < d; e++) {
                        double hop = c.transfer(dev, e, j);
                        if ((set & 1 << e) != 0 || hop > cap) {
                            continue;
                        }
                        for (int k = j + 1; k <= m; k++) {
                            double work = c.compute(e, j, k);
                            int t = index(set | 1 << e, e, k, d, m);
                            double nv = combine(minMax, v, hop, work);
                            if (work <= cap && nv < f[t]) {
                                f[t] = nv;
                                parent[t] = s;
                            }
                        }
                    }
                }
            }
        }
        if (bestState < 0) {
            throw new IllegalStateException("no placement within " + cap + " ms");
        }
        List<Placement.Stage> stages = new ArrayList<>();
        for (int s = bestState; s >= 0; s = parent[s]) {
            int j = s % (m + 1);
            int dev = s / (m + 1) % d;
            int from = parent[s] < 0 ? 0 : parent[s] % (m + 1);
            stages.add(new Placement.Stage(dev, from, j));
        }
        Collections.reverse(stages);
        return Placement.evaluate(c, stages);
    }

    private static int index(int set, int dev, int j, int d, int m) {
        return (set * d + dev) * (m + 1) + j;
    }

    private static Placement path(CostModel c, int[] order, boolean minMax, double cap) {
        int k = order.length;
        int m = c.segments;
        double[][] g = new double[k + 1][m + 1];
        int[][] from = new int[k + 1][m + 1];
        for (double[] row : g) {
            Arrays.fill(row, INF);
        }
        g[0][0] = 0;
        for (int s = 1; s <= k; s++) {
            int prevDev = s == 1 ? c.source : order[s - 2];
            for (int j = s; j <= m; j++) {
                for (int i = s - 1; i < j; i++) {
                    double hop = c.transfer(prevDev, order[s - 1], i);
                    double work = c.compute(order[s - 1], i, j);
                    double v = combine(minMax, g[s - 1][i], hop, work);
                    if (hop <= cap && work <= cap && v < g[s][j]) {
                        g[s][j] = v;
                        from[s][j] = i;
                    }
                }
            }
        }
        if (g[k][m] == INF || c.transfer(order[k - 1], c.sink, m) > cap) {
            throw new IllegalStateException("no path placement within " + cap + " ms");
        }
        List<Placement.Stage> stages = new ArrayList<>();
        for (int s = k, j = m; s >= 1; j = from[s][j], s--) {
            stages.add(new Placement.Stage(order[s - 1], from[s][j], j));
        }
        Collections.reverse(stages);
        return Placement.evaluate(c, stages);
    }
}
