package io.edgeslice.console.models;

import ai.onnx.proto.OnnxMl;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.NodeCost;
import io.edgeslice.slicer.SlicingException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's nodes in the slicer's order and the tensors flowing between them, for drawing the DAG.
 * The slicer's public API gives the ordered nodes and tensor types but not the edges, so the
 * edges are read from the ONNX graph here and matched to the slicer's nodes by name. Free nodes
 * (constants and what is computed from constants only) are not in the order and have no edges;
 * tensors read inside If/Loop subgraphs are not drawn.
 */
public final class ModelGraph {
    /**
     * A tensor from one node to another. Endpoints are positions in the order; a model input
     * {@code i} is {@code -1 - i}, a model output {@code j} is {@code nodeCount + j}.
     *
     * @param bytes size for the analysed input shapes, or -1 if unknown
     */
    public record Edge(int from, int to, String tensor, long bytes) {
    }

    private final List<NodeCost> nodes;
    private final List<Edge> edges;
    private final List<String> inputs;
    private final List<String> outputs;

    private ModelGraph(List<NodeCost> nodes, List<Edge> edges, List<String> inputs, List<String> outputs) {
        this.nodes = List.copyOf(nodes);
        this.edges = List.copyOf(edges);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    /** Reads the edges of an analysed model from its file. */
    public static ModelGraph of(Analysis a) throws IOException {
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(a.model().path())).getGraph();
        List<NodeCost> order = a.nodes();
        Map<String, Deque<Integer>> positionsByName = new HashMap<>();
        for (NodeCost n : order) {
            positionsByName.computeIfAbsent(n.name(), k -> new ArrayDeque<>()).add(n.position());
        }
        int[] positionOf = new int[g.getNodeCount()];
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            Deque<Integer> q = positionsByName.get(n.getName().isEmpty() ? "#" + i : n.getName());
            positionOf[i] = q == null || q.isEmpty() ? -1 : q.poll();
            if (positionOf[i] >= 0) {
                for (String out : n.getOutputList()) {
                    producer.put(out, positionOf[i]);
                }
            }
        }
        List<String> inputs = a.inputs().stream().map(t -> t.name()).toList();
        List<String> outputs = a.model().outputNames();
        Map<String, Long> bytes = new HashMap<>();
        Set<Edge> edges = new LinkedHashSet<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (positionOf[i] < 0) {
                continue;
            }
            for (String t : g.getNode(i).getInputList()) {
                int from = source(t, producer, inputs);
                if (from != Integer.MIN_VALUE && from != positionOf[i]) {
                    edges.add(new Edge(from, positionOf[i], t, bytes.computeIfAbsent(t, k -> bytesOf(a, k))));
                }
            }
        }
        for (int j = 0; j < outputs.size(); j++) {
            int from = source(outputs.get(j), producer, inputs);
            if (from != Integer.MIN_VALUE) {
                edges.add(new Edge(from, order.size() + j, outputs.get(j), bytes.computeIfAbsent(outputs.get(j), k -> bytesOf(a, k))));
            }
        }
        return new ModelGraph(order, new ArrayList<>(edges), inputs, outputs);
    }

    private static int source(String tensor, Map<String, Integer> producer, List<String> inputs) {
        Integer p = producer.get(tensor);
        if (p != null) {
            return p;
        }
        int k = inputs.indexOf(tensor);
        return k >= 0 ? -1 - k : Integer.MIN_VALUE;
    }

    private static long bytesOf(Analysis a, String tensor) {
        try {
            return a.tensor(tensor).bytes();
        } catch (SlicingException e) {
            return -1;
        }
    }

    /** The nodes in the slicer's order: index = position. */
    public List<NodeCost> nodes() {
        return nodes;
    }

    public List<Edge> edges() {
        return edges;
    }

    /** Names of the model inputs the analysis used, in model order. */
    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public int nodeCount() {
        return nodes.size();
    }
}
