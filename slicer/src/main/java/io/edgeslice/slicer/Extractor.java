package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;

/**
 * Builds the standalone model for the nodes at positions [start, end) of an analysis. Its inputs are
 * the tensors crossing {@code start}, its outputs those crossing {@code end}; it carries its own copy
 * of the initializers and free (Constant or constant-only) nodes it reads.
 */
final class Extractor {
    static final String SLICE_KEY = "edgeslice.slice";
    static final String MODEL_KEY = "edgeslice.model";
    /** Present with value {@code all} on slices cut where the chain stays bit-exact at ONNX Runtime's level all (see {@link ExactCuts}). */
    static final String OPTIMIZATION_KEY = "edgeslice.optimization";
    /** Present on slices of an optimised graph ({@link OptimizedGraph}): the {@link OrtTarget} it was optimised for. */
    static final String ORT_TARGET_KEY = "edgeslice.ort_target";

    private Extractor() {
    }

    static String sliceId(Analysis a, int start, int end) {
        return a.model().sha256() + ":" + start + "-" + end;
    }

    static OnnxMl.ModelProto extract(Analysis a, int start, int end) {
        return extract(a, start, end, SliceMarks.PORTABLE);
    }

    /** As {@link #extract(Analysis, int, int)}, with the marks that say how the slice must run. */
    static OnnxMl.ModelProto extract(Analysis a, int start, int end, SliceMarks marks) {
        if (start < 0 || end > a.nodeCount() || start >= end) {
            throw new SlicingException("slice [" + start + "," + end + ") is empty or out of range 0.." + a.nodeCount());
        }
        Graph g = a.graph();
        OnnxMl.GraphProto original = g.proto;
        List<String> inputs = a.crossingNames(start);
        List<String> outputs = a.crossingNames(end);
        Set<String> needed = new LinkedHashSet<>(outputs);
        for (int p = start; p < end; p++) {
            needed.addAll(g.reads.get(a.nodeAt(p)));
        }
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder()
                .setName(original.getName() + "_slice_" + start + "_" + end)
                .setDocString(original.getDocString());
        // Free nodes (Constants and what computes only from constants) first, in topological order,
        // with the free nodes they in turn read.
        Set<Integer> free = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(needed);
        while (!todo.isEmpty()) {
            Integer f = g.freeOutputs.get(todo.pop());
            if (f != null && free.add(f)) {
                todo.addAll(g.reads.get(f));
                needed.addAll(g.reads.get(f));
            }
        }
        g.freeNodes.stream().filter(free::contains).forEach(f -> graph.addNode(g.nodes.get(f)));
        Set<String> produced = new LinkedHashSet<>();
        for (int p = start; p < end; p++) {
            OnnxMl.NodeProto node = g.nodes.get(a.nodeAt(p));
            graph.addNode(node);
            produced.addAll(node.getOutputList());
        }
        for (OnnxMl.TensorProto t : original.getInitializerList()) {
            if (needed.contains(t.getName())) {
                graph.addInitializer(t);
            }
        }
        for (OnnxMl.SparseTensorProto t : original.getSparseInitializerList()) {
            if (needed.contains(t.getValues().getName())) {
                graph.addSparseInitializer(t);
            }
        }
        inputs.forEach(name -> graph.addInput(declare(a, name)));
        if (a.model().proto().getIrVersion() < 4) {
            // Before IR 4 every initializer also had to be listed as a graph input.
            graph.getInitializerList().forEach(t -> graph.addInput(valueInfo(original, t.getName())));
        }
        outputs.forEach(name -> graph.addOutput(declare(a, name)));
        Set<String> boundary = new LinkedHashSet<>(inputs);
        boundary.addAll(outputs);
        for (OnnxMl.ValueInfoProto vi : original.getValueInfoList()) {
            if (produced.contains(vi.getName()) && !boundary.contains(vi.getName())) {
                graph.addValueInfo(vi);
            }
        }
        OnnxMl.ModelProto.Builder model = a.model().proto().toBuilder().clearGraph().clearTrainingInfo().setGraph(graph);
        List<OnnxMl.StringStringEntryProto> props = new ArrayList<>();
        for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
            if (!e.getKey().equals(SLICE_KEY) && !e.getKey().equals(MODEL_KEY) && !e.getKey().equals(OPTIMIZATION_KEY)
                    && !e.getKey().equals(ORT_TARGET_KEY)) {
                props.add(e);
            }
        }
        props.add(entry(SLICE_KEY, sliceId(a, start, end)));
        props.add(entry(MODEL_KEY, a.model().sha256()));
        if (marks.levelAll()) {
            props.add(entry(OPTIMIZATION_KEY, "all"));
        }
        if (!marks.ortTarget().isEmpty()) {
            props.add(entry(ORT_TARGET_KEY, marks.ortTarget()));
        }
        return model.clearMetadataProps().addAllMetadataProps(props).build();
    }

    private static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** Original declarations for model inputs and outputs (symbolic dims intact), ORT's inferred type otherwise. */
    private static OnnxMl.ValueInfoProto declare(Analysis a, String name) {
        Graph g = a.graph();
        for (OnnxMl.ValueInfoProto vi : g.modelInputs) {
            if (vi.getName().equals(name) && vi.hasType()) {
                return vi;
            }
        }
        for (OnnxMl.ValueInfoProto vi : g.modelOutputs) {
            if (vi.getName().equals(name) && vi.hasType()) {
                return vi;
            }
        }
        ShapeProbe.Probed p = a.probed(name);
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(p.type()).build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(OnnxMl.GraphProto original, String name) {
        return original.getInputList().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElse(OnnxMl.ValueInfoProto.newBuilder().setName(name).build());
    }
}
