package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property tests: on random small instances the dynamic programs find plans exactly as good as
 * brute-force enumeration, whose cost function below is written independently of the planner's.
 */
class PlacementDpTest {
    private static final int INSTANCES = 400;

    /** A random instance: 1-4 devices, 1-6 segments, sometimes integer-valued to provoke ties. */
    private static CostModel randomInstance(SplittableRandom r) {
        int d = 1 + r.nextInt(4);
        int m = 1 + r.nextInt(6);
        boolean ties = r.nextBoolean();
        double[][] compute = new double[d][m];
        double[][] mbps = new double[d][d];
        double[][] ms = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int s = 0; s < m; s++) {
                compute[i][s] = ties ? 1 + r.nextInt(5) : 0.1 + 20 * r.nextDouble();
            }
            for (int j = 0; j < d; j++) {
                mbps[i][j] = ties ? 8 : 1 + 999 * r.nextDouble();
                ms[i][j] = ties ? r.nextInt(3) : 50 * r.nextDouble();
            }
        }
        long[] bytes = new long[m + 1];
        for (int p = 0; p <= m; p++) {
            bytes[p] = ties ? 1000L * r.nextInt(4) : r.nextLong(5_000_000);
        }
        return new CostModel(compute, bytes, mbps, ms, r.nextInt(d), r.nextInt(d));
    }

    /** Latency and period of a plan, computed from scratch: {latency, period}. */
    private static double[] cost(CostModel c, List<Placement.Stage> stages) {
        double latency = 0;
        double period = 0;
        int at = c.source;
        List<Double> steps = new ArrayList<>();
        for (Placement.Stage s : stages) {
            steps.add(hop(c, at, s.device(), s.from()));
            double work = 0;
            for (int seg = s.from(); seg < s.to(); seg++) {
                work += c.compute(s.device(), seg, seg + 1);
            }
            steps.add(work);
            at = s.device();
        }
        steps.add(hop(c, at, c.sink, c.segments));
        for (double step : steps) {
            latency += step;
            period = Math.max(period, step);
        }
        return new double[] {latency, period};
    }

    private static double hop(CostModel c, int from, int to, int position) {
        return from == to ? 0 : c.transfer(from, to, position);
    }

    /** Every split of segments 0..m into k non-empty consecutive stages, as boundary lists. */
    private static List<int[]> compositions(int m, int k) {
        List<int[]> out = new ArrayList<>();
        compose(new int[k + 1], 1, k, m, out);
        return out;
    }

    private static void compose(int[] b, int i, int k, int m, List<int[]> out) {
        if (i == k) {
            b[k] = m;
            out.add(b.clone());
            return;
        }
        for (int p = b[i - 1] + 1; p <= m - (k - i); p++) {
            b[i] = p;
            compose(b, i + 1, k, m, out);
        }
    }

    /** Every ordered choice of distinct devices of length 1..min(d, m). */
    private static List<int[]> orders(int d, int maxLength) {
        List<int[]> out = new ArrayList<>();
        extend(new ArrayList<>(), d, maxLength, out);
        return out;
    }

    private static void extend(List<Integer> prefix, int d, int maxLength, List<int[]> out) {
        if (!prefix.isEmpty()) {
            out.add(prefix.stream().mapToInt(Integer::intValue).toArray());
        }
        if (prefix.size() == maxLength) {
            return;
        }
        for (int dev = 0; dev < d; dev++) {
            if (!prefix.contains(dev)) {
                prefix.add(dev);
                extend(prefix, d, maxLength, out);
                prefix.remove(prefix.size() - 1);
            }
        }
    }

    private static List<List<Placement.Stage>> allPlans(CostModel c, List<int[]> deviceOrders) {
        List<List<Placement.Stage>> plans = new ArrayList<>();
        for (int[] order : deviceOrders) {
            if (order.length > c.segments) {
                continue;
            }
            for (int[] b : compositions(c.segments, order.length)) {
                List<Placement.Stage> stages = new ArrayList<>();
                for (int i = 0; i < order.length; i++) {
                    stages.add(new Placement.Stage(order[i], b[i], b[i + 1]));
                }
                plans.add(stages);
            }
        }
        return plans;
    }

    /** Asserts the DP's plan is optimal: latency minimal, or period minimal and then latency minimal among those. */
    private static void assertOptimal(CostModel c, List<List<Placement.Stage>> plans, Placement dp, Objective o, String what) {
        double[] got = cost(c, dp.stages());
        assertThat(dp.latencyMs()).as(what + ": reported latency").isCloseTo(got[0], within(got[0]));
        assertThat(dp.periodMs()).as(what + ": reported period").isCloseTo(got[1], within(got[1]));
        double bestPeriod = plans.stream().mapToDouble(p -> cost(c, p)[1]).min().orElseThrow();
        if (o == Objective.LATENCY) {
            double best = plans.stream().mapToDouble(p -> cost(c, p)[0]).min().orElseThrow();
            assertThat(got[0]).as(what + ": latency").isCloseTo(best, within(best));
        } else {
            assertThat(got[1]).as(what + ": period").isCloseTo(bestPeriod, within(bestPeriod));
            double best = plans.stream().map(p -> cost(c, p)).filter(v -> v[1] <= bestPeriod * (1 + 1e-9))
                    .mapToDouble(v -> v[0]).min().orElseThrow();
            assertThat(got[0]).as(what + ": latency among the fastest pipelines").isCloseTo(best, within(best));
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double v) {
        return org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(v)));
    }

    @Test
    void anyOrderDpMatchesBruteForceForBothObjectives() {
        SplittableRandom r = new SplittableRandom(20240611);
        for (int i = 0; i < INSTANCES; i++) {
            CostModel c = randomInstance(r);
            List<List<Placement.Stage>> plans = allPlans(c, orders(c.devices, Math.min(c.devices, c.segments)));
            for (Objective o : Objective.values()) {
                assertOptimal(c, plans, PlacementDp.best(c, o), o, "instance " + i + " " + o);
            }
        }
    }

    @Test
    void pathDpMatchesBruteForceForBothObjectives() {
        SplittableRandom r = new SplittableRandom(77);
        for (int i = 0; i < INSTANCES; i++) {
            CostModel c = randomInstance(r);
            List<int[]> candidates = orders(c.devices, Math.min(c.devices, c.segments));
            int[] path = candidates.get(r.nextInt(candidates.size()));
            List<List<Placement.Stage>> plans = allPlans(c, List.<int[]>of(path));
            for (Objective o : Objective.values()) {
                Placement dp = PlacementDp.bestPath(c, path, o);
                assertThat(dp.stages()).extracting(Placement.Stage::device).containsExactlyElementsOf(
                        java.util.Arrays.stream(path).boxed().toList());
                assertOptimal(c, plans, dp, o, "instance " + i + " " + o);
            }
        }
    }

    @Test
    void aDeviceHoldsAtMostOneStage() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < INSTANCES; i++) {
            CostModel c = randomInstance(r);
            for (Objective o : Objective.values()) {
                List<Integer> devices = PlacementDp.best(c, o).stages().stream().map(Placement.Stage::device).toList();
                assertThat(devices).doesNotHaveDuplicates();
            }
        }
    }
}
