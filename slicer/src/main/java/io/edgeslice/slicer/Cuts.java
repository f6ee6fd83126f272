package io.edgeslice.slicer;

import java.util.Arrays;
import java.util.List;

/** Choosing and checking cut positions. */
public final class Cuts {
    /** Link bandwidth assumed between stages when balancing, in Mbit/s. */
    public static final double DEFAULT_LINK_MBPS = 1000;

    private Cuts() {
    }

    /** Parses {@code 12,40,77}. */
    public static int[] parse(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new SlicingException("bad cut position '" + parts[i].trim() + "' in '" + csv + "': not an integer");
            }
        }
        return out;
    }

    /** Checks interior cuts: within (0, nodeCount), strictly increasing, each a usable position. */
    public static int[] check(Analysis a, int[] cuts) {
        int n = a.nodeCount();
        for (int i = 0; i < cuts.length; i++) {
            int p = cuts[i];
            if (p <= 0 || p >= n) {
                throw new SlicingException("cut position " + p + " is out of range: cuts must lie strictly between 0 and " + n
                        + " (the model has " + n + " nodes in " + a.order().lowerName() + " order)");
            }
            if (i > 0 && p <= cuts[i - 1]) {
                throw new SlicingException("cut positions must be strictly increasing, but " + p + " follows " + cuts[i - 1]);
            }
            a.cut(p);
        }
        return cuts.clone();
    }

    /** Cuts for {@code stages} slices at usable positions as close as possible to equal node counts. */
    public static int[] evenlySpread(Analysis a, int stages) {
        int[] valid = requireCuts(a, stages);
        int[] out = new int[stages - 1];
        int prev = -1;
        for (int i = 1; i < stages; i++) {
            double target = (double) i * a.nodeCount() / stages;
            int lo = prev + 1;
            int hi = valid.length - stages + i;
            int best = lo;
            for (int k = lo; k <= hi; k++) {
                if (Math.abs(valid[k] - target) < Math.abs(valid[best] - target)) {
                    best = k;
                }
            }
            out[i - 1] = valid[best];
            prev = best;
        }
        return out;
    }

    private static int[] requireCuts(Analysis a, int stages) {
        if (stages < 1) {
            throw new SlicingException("the number of stages must be at least 1, got " + stages);
        }
        int[] valid = a.interiorCuts();
        if (stages - 1 > valid.length) {
            throw new SlicingException("cannot cut " + a.model().fileName() + " into " + stages + " stages: it has only "
                    + valid.length + " valid cut positions");
        }
        return valid;
    }

    /**
     * Cuts for {@code stages} slices that balance the measured compute while preferring small
     * crossings: the cuts that minimise the slowest step of a pipeline of {@code stages} identical
     * devices (this machine) joined by links of {@code linkMbps}, where every stage's compute and every
     * transfer between stages is a step ({@link Objective#THROUGHPUT}); ties go to the lowest latency.
     * Only the profile's positions are considered.
     */
    public static int[] balanced(Analysis a, Profile profile, int stages, double linkMbps) {
        requireCuts(a, stages);
        profile.checkMatches(a);
        if (!(linkMbps > 0)) {
            throw new SlicingException("link bandwidth must be positive, got " + linkMbps + " Mbit/s");
        }
        List<Integer> pos = profile.positions();
        if (stages > pos.size() - 1) {
            throw new SlicingException("the profile has only " + (pos.size() - 2) + " interior positions, too few for " + stages
                    + " stages; profile with more segments");
        }
        double[][] compute = new double[stages][];
        double[][] mbps = new double[stages][stages];
        int[] path = new int[stages];
        for (int d = 0; d < stages; d++) {
            compute[d] = new double[pos.size() - 1];
            for (int i = 0; i < compute[d].length; i++) {
                compute[d][i] = profile.ms(i, i + 1);
            }
            Arrays.fill(mbps[d], linkMbps);
            path[d] = d;
        }
        long[] bytes = profile.bytes().stream().mapToLong(Long::longValue).toArray();
        CostModel c = new CostModel(compute, bytes, mbps, new double[stages][stages], 0, stages - 1);
        Placement best = PlacementDp.bestPath(c, path, Objective.THROUGHPUT);
        return best.stages().stream().skip(1).mapToInt(s -> pos.get(s.from())).toArray();
    }

    /** {@link #balanced(Analysis, Profile, int, double)} on a gigabit link. */
    public static int[] balanced(Analysis a, Profile profile, int stages) {
        return balanced(a, profile, stages, DEFAULT_LINK_MBPS);
    }
}
