package io.edgeslice.console.dag;

import io.edgeslice.console.Format;
import io.edgeslice.console.models.ModelGraph;
import io.edgeslice.slicer.NodeCost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the DAG view draws for a model cut into slices: the slices, and inside each the nodes, with
 * runs of nodes collapsed into blocks so that a model of hundreds of nodes stays readable and fast;
 * a block expands into its nodes on demand. Edges between the same two units are merged, and the
 * ones crossing from one slice to another carry the bytes sent per inference.
 */
public final class SliceDag {
    /** Slices up to this many nodes are drawn node by node from the start. */
    static final int SMALL_SLICE = 16;
    /** Blocks hold about this many nodes, ending at cut candidates where possible. */
    static final int BLOCK_NODES = 20;

    /** What a unit stands for. */
    public enum Kind { NODE, BLOCK, INPUT, OUTPUT }

    /**
     * A box in the DAG.
     *
     * @param slice index of its slice, -1 for model inputs and outputs
     * @param start first position it covers (nodes and blocks)
     * @param end   position after the last it covers
     */
    public record Unit(String id, Kind kind, int slice, int start, int end, String label, String detail) {
        public int nodeCount() {
            return end - start;
        }
    }

    /** Edges merged between two units; {@code crossing} when they join two different slices. */
    public record Link(String from, String to, long bytes, boolean crossing, List<String> tensors) {
    }

    /** A slice: positions [start, end). */
    public record Slice(int index, int start, int end) {
    }

    private final List<Slice> slices;
    private final List<Unit> units;
    private final List<Link> links;

    private SliceDag(List<Slice> slices, List<Unit> units, List<Link> links) {
        this.slices = List.copyOf(slices);
        this.units = List.copyOf(units);
        this.links = List.copyOf(links);
    }

    /**
     * Builds the units for a model.
     *
     * @param cuts        interior cut positions, increasing
     * @param candidates  usable cut positions, where blocks prefer to end
     * @param expanded    start positions of the blocks the operator expanded
     */
    public static SliceDag build(ModelGraph g, List<Integer> cuts, List<Integer> candidates, Set<Integer> expanded) {
        int n = g.nodeCount();
        List<Slice> slices = new ArrayList<>();
        List<Integer> bounds = new ArrayList<>();
        bounds.add(0);
        bounds.addAll(cuts);
        bounds.add(n);
        for (int i = 0; i + 1 < bounds.size(); i++) {
            slices.add(new Slice(i, bounds.get(i), bounds.get(i + 1)));
        }
        List<Unit> units = new ArrayList<>();
        String[] unitOf = new String[n];
        for (int k = 0; k < g.inputs().size(); k++) {
            units.add(new Unit("in:" + k, Kind.INPUT, -1, 0, 0, g.inputs().get(k), "model input " + g.inputs().get(k)));
        }
        for (Slice s : slices) {
            for (int[] run : runs(s, candidates)) {
                if (run[1] - run[0] <= 2 || expanded.contains(run[0]) || s.end() - s.start() <= SMALL_SLICE) {
                    for (int p = run[0]; p < run[1]; p++) {
                        NodeCost c = g.nodes().get(p);
                        units.add(new Unit("n:" + p, Kind.NODE, s.index(), p, p + 1, c.opType(),
                                "#" + p + " " + c.name() + " (" + c.opType() + ")"));
                        unitOf[p] = "n:" + p;
                    }
                } else {
                    String id = "b:" + run[0] + "-" + run[1];
                    units.add(new Unit(id, Kind.BLOCK, s.index(), run[0], run[1], (run[1] - run[0]) + " nodes",
                            topOps(g, run[0], run[1])));
                    for (int p = run[0]; p < run[1]; p++) {
                        unitOf[p] = id;
                    }
                }
            }
        }
        for (int j = 0; j < g.outputs().size(); j++) {
            units.add(new Unit("out:" + j, Kind.OUTPUT, -1, n, n, g.outputs().get(j), "model output " + g.outputs().get(j)));
        }
        return new SliceDag(slices, units, links(g, units, unitOf));
    }

    /** Splits a slice into runs of about {@link #BLOCK_NODES} nodes, ending at candidates where one is near. */
    static List<int[]> runs(Slice s, List<Integer> candidates) {
        List<int[]> runs = new ArrayList<>();
        int start = s.start();
        while (start < s.end()) {
            int limit = Math.min(s.end(), start + BLOCK_NODES);
            int end = limit;
            if (limit < s.end()) {
                for (int c : candidates) {
                    if (c > start + BLOCK_NODES / 2 && c <= limit) {
                        end = c; // the last candidate in the second half of the window
                    }
                }
            }
            runs.add(new int[] {start, end});
            start = end;
        }
        return runs;
    }

    private static String topOps(ModelGraph g, int start, int end) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int p = start; p < end; p++) {
            counts.merge(g.nodes().get(p).opType(), 1, Integer::sum);
        }
        return counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(3)
                .map(e -> e.getKey() + "×" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static List<Link> links(ModelGraph g, List<Unit> units, String[] unitOf) {
        Map<String, Integer> sliceOf = new LinkedHashMap<>();
        units.forEach(u -> sliceOf.put(u.id(), u.slice()));
        int n = g.nodeCount();
        Map<String, Map<String, Long>> merged = new LinkedHashMap<>();
        for (ModelGraph.Edge e : g.edges()) {
            String from = e.from() < 0 ? "in:" + (-1 - e.from()) : unitOf[e.from()];
            String to = e.to() >= n ? "out:" + (e.to() - n) : unitOf[e.to()];
            if (!from.equals(to)) {
                merged.computeIfAbsent(from + "\n" + to, k -> new LinkedHashMap<>()).put(e.tensor(), e.bytes());
            }
        }
        List<Link> links = new ArrayList<>();
        merged.forEach((key, tensors) -> {
            String[] ends = key.split("\n", 2);
            long bytes = tensors.values().stream().anyMatch(b -> b < 0) ? -1 : tensors.values().stream().mapToLong(Long::longValue).sum();
            int a = sliceOf.get(ends[0]);
            int b = sliceOf.get(ends[1]);
            links.add(new Link(ends[0], ends[1], bytes, a >= 0 && b >= 0 && a != b, List.copyOf(tensors.keySet())));
        });
        return links;
    }

    public List<Slice> slices() {
        return slices;
    }

    public List<Unit> units() {
        return units;
    }

    public List<Link> links() {
        return links;
    }

    public Unit unit(String id) {
        return units.stream().filter(u -> u.id().equals(id)).findFirst().orElse(null);
    }

    /** Label for a crossing edge: the bytes per inference. */
    public static String bytesLabel(Link l) {
        return l.bytes() < 0 ? "? B" : Format.bytes(l.bytes());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d slices, %d units, %d links", slices.size(), units.size(), links.size());
    }
}
