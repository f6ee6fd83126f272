package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The main graph of a model indexed for slicing: who produces and who reads each tensor. Constant
 * nodes, and nodes computing only from constants (e.g. ConstantOfShape of an initializer, which ORT
 * folds at load time anyway), are set apart as "free": their outputs never cross a cut, each slice
 * gets its own copy of the free nodes it needs.
 */
final class Graph {
    final OnnxMl.GraphProto proto;
    final List<OnnxMl.NodeProto> nodes;
    /** Per node: its non-empty inputs, then the outer-scope names its subgraphs read (If, Loop, Scan). */
    final List<List<String>> reads;
    final Map<String, Integer> producer = new HashMap<>();
    final Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();
    final Set<String> sparseInitializers = new HashSet<>();
    /** Output names of the free nodes to the node's index. */
    final Map<String, Integer> freeOutputs = new HashMap<>();
    /** The free nodes, in a topological order. */
    final List<Integer> freeNodes = new ArrayList<>();
    /** Graph inputs that are real inputs (not defaults for an initializer). */
    final List<OnnxMl.ValueInfoProto> modelInputs = new ArrayList<>();
    final List<OnnxMl.ValueInfoProto> modelOutputs;
    /** Indices of the nodes that are not free, in file order. */
    final List<Integer> computeNodes = new ArrayList<>();

    Graph(OnnxMl.GraphProto proto) {
        this.proto = proto;
        this.nodes = proto.getNodeList();
        this.modelOutputs = proto.getOutputList();
        for (OnnxMl.TensorProto t : proto.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (OnnxMl.SparseTensorProto t : proto.getSparseInitializerList()) {
            sparseInitializers.add(t.getValues().getName());
        }
        for (OnnxMl.ValueInfoProto in : proto.getInputList()) {
            if (!isInitializer(in.getName())) {
                modelInputs.add(in);
            }
        }
        List<List<String>> r = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto n = nodes.get(i);
            for (String out : n.getOutputList()) {
                if (!out.isEmpty() && producer.putIfAbsent(out, i) != null) {
                    throw new SlicingException("malformed model: tensor '" + out + "' is produced by both " + describe(producer.get(out))
                            + " and " + describe(i));
                }
            }
            r.add(List.copyOf(reads(n)));
        }
        this.reads = Collections.unmodifiableList(r);
        checkDefined();
        findFreeNodes();
    }

    /** Repeats file-order passes so that even an unsorted file yields a topological free order. */
    private void findFreeNodes() {
        boolean[] free = new boolean[nodes.size()];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int i = 0; i < nodes.size(); i++) {
                if (!free[i] && foldable(i)) {
                    free[i] = true;
                    changed = true;
                    freeNodes.add(i);
                    for (String out : nodes.get(i).getOutputList()) {
                        if (!out.isEmpty()) {
                            freeOutputs.put(out, i);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (!free[i]) {
                computeNodes.add(i);
            }
        }
    }

    private boolean foldable(int i) {
        OnnxMl.NodeProto n = nodes.get(i);
        if (isConstant(n)) {
            return true;
        }
        boolean plain = (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")) && !NOT_FOLDABLE.contains(n.getOpType())
                && n.getAttributeList().stream().noneMatch(a -> a.hasG() || a.getGraphsCount() > 0);
        return plain && !reads.get(i).isEmpty() && reads.get(i).stream().allMatch(this::isConstantValue);
    }

    /** Operators whose output is not a function of their inputs alone. */
    private static final Set<String> NOT_FOLDABLE = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
            "Multinomial", "Bernoulli", "Dropout");

    static boolean isConstant(OnnxMl.NodeProto n) {
        return n.getOpType().equals("Constant") && n.getInputCount() == 0 && n.getOutputCount() == 1
                && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
    }

    boolean isInitializer(String name) {
        return initializers.containsKey(name) || sparseInitializers.contains(name);
    }

    /** True for names whose value is fixed by the file: initializers and outputs of free nodes. */
    boolean isConstantValue(String name) {
        return isInitializer(name) || freeOutputs.containsKey(name);
    }

    boolean isModelInput(String name) {
        return modelInputs.stream().anyMatch(v -> v.getName().equals(name));
    }

    String describe(int node) {
        OnnxMl.NodeProto n = nodes.get(node);
        return (n.getName().isEmpty() ? "#" + node : "'" + n.getName() + "'") + " (" + n.getOpType() + ")";
    }

    private void checkDefined() {
        Set<String> inputs = new HashSet<>();
        proto.getInputList().forEach(v -> inputs.add(v.getName()));
        for (int i = 0; i < nodes.size(); i++) {
            for (String name : reads.get(i)) {
                if (!producer.containsKey(name) && !inputs.contains(name) && !isInitializer(name)) {
                    throw new SlicingException("malformed or truncated model: node " + describe(i) + " reads '" + name
                            + "', which no node, graph input or initializer provides");
                }
            }
        }
        for (OnnxMl.ValueInfoProto out : modelOutputs) {
            String name = out.getName();
            if (!producer.containsKey(name) && !inputs.contains(name) && !isInitializer(name)) {
                throw new SlicingException("malformed or truncated model: graph output '" + name + "' is never produced");
            }
        }
    }

    /** Explicit inputs plus the outer-scope names read inside the node's subgraphs. */
    private static Set<String> reads(OnnxMl.NodeProto n) {
        Set<String> names = new LinkedHashSet<>();
        for (String in : n.getInputList()) {
            if (!in.isEmpty()) {
                names.add(in);
            }
        }
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                names.addAll(outerReads(a.getG()));
            }
            for (OnnxMl.GraphProto g : a.getGraphsList()) {
                names.addAll(outerReads(g));
            }
        }
        return names;
    }

    /** Names a subgraph uses but does not define itself, i.e. those it takes from enclosing scopes. */
    private static Set<String> outerReads(OnnxMl.GraphProto g) {
        Set<String> defined = new HashSet<>();
        g.getInputList().forEach(v -> defined.add(v.getName()));
        g.getInitializerList().forEach(t -> defined.add(t.getName()));
        g.getSparseInitializerList().forEach(t -> defined.add(t.getValues().getName()));
        Set<String> outer = new LinkedHashSet<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            for (String name : reads(n)) {
                if (!defined.contains(name)) {
                    outer.add(name);
                }
            }
            n.getOutputList().forEach(defined::add);
        }
        for (OnnxMl.ValueInfoProto out : g.getOutputList()) {
            if (!defined.contains(out.getName())) {
                outer.add(out.getName());
            }
        }
        return outer;
    }

    /** The dimensions of a weight (initializer or Constant node value), or null for anything else. */
    long[] constantDims(String name) {
        OnnxMl.TensorProto t = initializers.get(name);
        if (t != null) {
            return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        }
        Integer node = freeOutputs.get(name);
        if (node == null || !isConstant(nodes.get(node))) {
            return null;
        }
        for (OnnxMl.AttributeProto a : nodes.get(node).getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return a.getT().getDimsList().stream().mapToLong(Long::longValue).toArray();
                case "value_float", "value_int", "value_string":
                    return new long[0];
                case "value_floats":
                    return new long[] {a.getFloatsCount()};
                case "value_ints":
                    return new long[] {a.getIntsCount()};
                default:
                    break;
            }
        }
        return null;
    }
}
