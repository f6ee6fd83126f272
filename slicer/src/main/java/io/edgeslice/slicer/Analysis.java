package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A model analysed for given input shapes: its nodes in a topological order chosen to keep the
 * tensors crossing each position small, per-node cost estimates, and the cut candidates.
 * Constant nodes, and nodes that compute only from constants, are left out of the order (they are
 * copied into every slice that needs them), so {@link #nodeCount()} counts only the other nodes.
 */
public final class Analysis {
    private final OnnxModel model;
    private final Map<String, long[]> inputShapes;
    private final Map<String, ShapeProbe.Probed> probed;
    private final Order order;
    private final int[] nodeAt;
    private final List<NodeCost> costs = new ArrayList<>();
    private final long[] flopsBefore;
    private final long totalParams;
    private final List<List<String>> crossing;
    private final String[] invalid;

    private Analysis(OnnxModel model, InputShapes shapes, SessionSettings settings, Order forced) {
        this.model = model;
        Graph g = model.graph();
        this.inputShapes = shapes.resolve(g);
        this.probed = ShapeProbe.run(model, inputShapes, settings);
        for (String out : model.outputNames()) {
            ShapeProbe.Probed p = probed.get(out);
            if (p == null || !p.transportable()) {
                throw new SlicingException("model output '" + out + "' " + (p == null ? "is not computed by ONNX Runtime"
                        : "has type " + p.typeName() + ", which the EdgeSlice protocol cannot carry"));
            }
        }
        Order best = forced;
        int[] bestOrder = forced == null ? null : Orders.compute(g, forced);
        if (forced == null) {
            double bestScore = Double.MAX_VALUE;
            for (Order o : Order.values()) {
                int[] candidate = Orders.compute(g, o);
                double score = candidate == null ? Double.MAX_VALUE : Lifetimes.of(g, candidate).interiorBytes(probed);
                if (score < bestScore) {
                    best = o;
                    bestOrder = candidate;
                    bestScore = score;
                }
            }
        } else if (bestOrder == null) {
            throw new SlicingException("the nodes of " + model.fileName() + " are not topologically sorted in the file; order 'file' is unusable");
        }
        this.order = best;
        this.nodeAt = bestOrder;
        int n = nodeAt.length;
        this.flopsBefore = new long[n + 1];
        Set<String> weights = new HashSet<>();
        long params = 0;
        for (int p = 0; p < n; p++) {
            long[] fp = Costs.of(g, nodeAt[p], this::shapeOf);
            OnnxMl.NodeProto node = g.nodes.get(nodeAt[p]);
            String name = node.getName().isEmpty() ? "#" + nodeAt[p] : node.getName();
            costs.add(new NodeCost(p, name, node.getOpType(), fp[0], fp[1]));
            flopsBefore[p + 1] = flopsBefore[p] + fp[0];
            for (String in : g.reads.get(nodeAt[p])) {
                long[] dims = g.isConstantValue(in) && weights.add(in) ? g.constantDims(in) : null;
                params += dims == null ? 0 : Costs.elements(dims);
            }
        }
        this.totalParams = params;
        this.crossing = Lifetimes.of(g, nodeAt).crossing(model.outputNames());
        this.invalid = new String[n + 1];
        for (int p = 0; p <= n; p++) {
            for (String t : crossing.get(p)) {
                ShapeProbe.Probed pr = probed.get(t);
                if (invalid[p] == null && (pr == null || !pr.transportable())) {
                    invalid[p] = "tensor '" + t + "' crosses it and has type " + (pr == null ? "unknown" : pr.typeName())
                            + ", which the EdgeSlice protocol cannot carry";
                }
            }
        }
    }

    /** Analyses a model with ONNX Runtime's default settings, choosing the node order. */
    public static Analysis of(OnnxModel model, InputShapes shapes) {
        return new Analysis(model, shapes, SessionSettings.DEFAULT, null);
    }

    /**
     * Analyses a model.
     *
     * @param order the node order to use, or null to choose the one with the smallest crossings
     */
    public static Analysis of(OnnxModel model, InputShapes shapes, SessionSettings settings, Order order) {
        return new Analysis(model, shapes, settings, order);
    }

    private long[] shapeOf(String name) {
        ShapeProbe.Probed p = probed.get(name);
        return p != null && p.shape() != null ? p.shape() : model.graph().constantDims(name);
    }

    public OnnxModel model() {
        return model;
    }

    public Order order() {
        return order;
    }

    /** Number of nodes in the order (constant ones excluded); cut positions run from 0 to this. */
    public int nodeCount() {
        return nodeAt.length;
    }

    /** The shape of every model input used for the analysis, in model order. */
    public Map<String, long[]> inputShapes() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        inputShapes.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public List<TensorSpec> inputs() {
        return inputShapes.keySet().stream().map(this::tensor).toList();
    }

    public List<TensorSpec> outputs() {
        return model.outputNames().stream().map(this::tensor).toList();
    }

    /** Type and shape of a model input, an output or an intermediate tensor. */
    public TensorSpec tensor(String name) {
        ShapeProbe.Probed p = probed.get(name);
        if (p == null || !p.transportable()) {
            throw new SlicingException("no tensor '" + name + "' with a transportable type in " + model.fileName());
        }
        return p.spec();
    }

    /** Per-node cost estimates, in order. */
    public List<NodeCost> nodes() {
        return List.copyOf(costs);
    }

    public long totalFlops() {
        return flopsBefore[nodeAt.length];
    }

    /** Elements of all the weights (initializers and Constant values) the nodes read. */
    public long totalParams() {
        return totalParams;
    }

    /** Every usable position, 0 and {@link #nodeCount()} included, in increasing order. */
    public List<Cut> candidates() {
        List<Cut> out = new ArrayList<>();
        for (int p = 0; p <= nodeAt.length; p++) {
            if (invalid[p] == null) {
                out.add(cut(p));
            }
        }
        return out;
    }

    /** The usable positions strictly between 0 and {@link #nodeCount()}. */
    public int[] interiorCuts() {
        return candidates().stream().mapToInt(Cut::position).filter(p -> p > 0 && p < nodeAt.length).toArray();
    }

    /** Why a position cannot be cut, if it cannot. */
    public Optional<String> whyNotCut(int position) {
        checkRange(position);
        return Optional.ofNullable(invalid[position]);
    }

    /** The cut at a position; throws if the position is out of range or unusable. */
    public Cut cut(int position) {
        checkRange(position);
        if (invalid[position] != null) {
            throw new SlicingException("cannot cut at position " + position + ": " + invalid[position]);
        }
        List<TensorSpec> tensors = crossing.get(position).stream().map(this::tensor).toList();
        long bytes = tensors.stream().mapToLong(TensorSpec::bytes).sum();
        return new Cut(position, tensors, bytes, flopsBefore[position]);
    }

    private void checkRange(int position) {
        if (position < 0 || position > nodeAt.length) {
            throw new SlicingException("cut position " + position + " is out of range 0.." + nodeAt.length);
        }
    }

    Graph graph() {
        return model.graph();
    }

    int nodeAt(int position) {
        return nodeAt[position];
    }

    List<String> crossingNames(int position) {
        return crossing.get(position);
    }

    ShapeProbe.Probed probed(String name) {
        return probed.get(name);
    }
}
