package io.edgeslice.slicer;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses cuts and a node for every slice by exact dynamic programming over the profiled cut
 * positions. Each node holds at most one contiguous stage; the input starts on the cluster's source
 * and the result must end on its sink, and every hop costs bytes / bandwidth + latency. With two
 * nodes this is Neurosurgeon's device/server split.
 */
public final class Planner {
    private Planner() {
    }

    /**
     * Best plan over every ordered choice of distinct nodes (nodes may be left out).
     *
     * @param base profile measured on this machine, scaled by each node's speed; may be null if every node has its own profile
     */
    public static Plan plan(Cluster cluster, Profile base, Objective objective) {
        CostModel c = costModel(cluster, base);
        return toPlan(cluster, c, reference(cluster, base), PlacementDp.best(c, objective), objective);
    }

    /** Best plan with exactly one non-empty slice on each of {@code path}'s nodes, in that order. */
    public static Plan planPath(Cluster cluster, Profile base, List<String> path, Objective objective) {
        CostModel c = costModel(cluster, base);
        List<String> names = cluster.nodeNames();
        int[] order = new int[path.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = names.indexOf(path.get(i));
            if (order[i] < 0) {
                throw new SlicingException("path names unknown node '" + path.get(i) + "'; the nodes are " + names);
            }
            if (path.subList(0, i).contains(path.get(i))) {
                throw new SlicingException("path lists node '" + path.get(i) + "' twice; a node holds at most one stage");
            }
        }
        return toPlan(cluster, c, reference(cluster, base), PlacementDp.bestPath(c, order, objective), objective);
    }

    private static Profile reference(Cluster cluster, Profile base) {
        if (base != null) {
            return base;
        }
        for (Cluster.Node n : cluster.nodes()) {
            if (n.profile() != null) {
                return n.profile();
            }
        }
        throw new SlicingException("no profile: measure one on this machine or give every node a profile");
    }

    static CostModel costModel(Cluster cluster, Profile base) {
        Profile ref = reference(cluster, base);
        List<Cluster.Node> nodes = cluster.nodes();
        int m = ref.segmentMs().size();
        double[][] compute = new double[nodes.size()][m];
        for (int d = 0; d < nodes.size(); d++) {
            Cluster.Node n = nodes.get(d);
            Profile p = n.profile() != null ? n.profile() : base;
            if (p == null) {
                throw new SlicingException("node '" + n.name() + "' has no profile and there is no base profile to scale by its speed");
            }
            if (!p.modelSha256().equals(ref.modelSha256()) || !p.positions().equals(ref.positions()) || !p.inputShapes().equals(ref.inputShapes())) {
                throw new SlicingException("the profile of node '" + n.name() + "' (" + p.model() + " on '" + p.device()
                        + "') was measured for another model, input shape or set of positions than " + ref.model() + " on '" + ref.device() + "'");
            }
            double scale = n.profile() != null ? 1.0 : 1.0 / n.speed();
            for (int i = 0; i < m; i++) {
                compute[d][i] = p.ms(i, i + 1) * scale;
            }
        }
        double[][] mbps = new double[nodes.size()][nodes.size()];
        double[][] ms = new double[nodes.size()][nodes.size()];
        for (int a = 0; a < nodes.size(); a++) {
            for (int b = 0; b < nodes.size(); b++) {
                if (a != b) {
                    Cluster.Link l = cluster.link(nodes.get(a).name(), nodes.get(b).name());
                    mbps[a][b] = l.mbps();
                    ms[a][b] = l.ms();
                }
            }
        }
        long[] bytes = ref.bytes().stream().mapToLong(Long::longValue).toArray();
        List<String> names = cluster.nodeNames();
        return new CostModel(compute, bytes, mbps, ms, names.indexOf(cluster.source()), names.indexOf(cluster.sink()));
    }

    private static Plan toPlan(Cluster cluster, CostModel c, Profile ref, Placement best, Objective o) {
        List<String> names = cluster.nodeNames();
        List<Integer> positions = ref.positions();
        List<Integer> cuts = new ArrayList<>();
        List<String> placement = new ArrayList<>();
        List<Plan.Stage> stages = new ArrayList<>();
        int at = c.source;
        for (Placement.Stage s : best.stages()) {
            if (s.from() > 0) {
                cuts.add(positions.get(s.from()));
            }
            placement.add(names.get(s.device()));
            stages.add(new Plan.Stage(names.get(s.device()), positions.get(s.from()), positions.get(s.to()),
                    c.compute(s.device(), s.from(), s.to()), c.transfer(at, s.device(), s.from())));
            at = s.device();
        }
        double local = whole(c, c.source).value(o);
        Double offload = null;
        String offloadNode = null;
        for (int d = 0; d < c.devices; d++) {
            double v = whole(c, d).value(o);
            if (d != c.source && (offload == null || v < offload)) {
                offload = v;
                offloadNode = names.get(d);
            }
        }
        return new Plan(o.lowerName(), cuts, placement, stages, best.value(o), best.latencyMs(), best.periodMs(),
                c.transfer(at, c.sink, c.segments), local, offload, offloadNode);
    }

    private static Placement whole(CostModel c, int device) {
        return Placement.evaluate(c, List.of(new Placement.Stage(device, 0, c.segments)));
    }
}
