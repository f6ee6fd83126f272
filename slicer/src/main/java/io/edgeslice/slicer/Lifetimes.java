package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When each non-constant tensor is live in a node order. A tensor defined at position d (0 for a
 * model input, producer's position + 1 otherwise) and last read by the node at position l crosses
 * every cut position p with d <= p <= l; a model output stays live to the end.
 */
final class Lifetimes {
    /** Tensor name to {definition, last use}, in definition order. */
    private final Map<String, int[]> spans = new LinkedHashMap<>();
    private final int n;

    private Lifetimes(Graph g, int[] nodeAt) {
        this.n = nodeAt.length;
        for (OnnxMl.ValueInfoProto in : g.modelInputs) {
            spans.put(in.getName(), new int[] {0, -1});
        }
        for (int p = 0; p < n; p++) {
            for (String out : g.nodes.get(nodeAt[p]).getOutputList()) {
                if (!out.isEmpty()) {
                    spans.put(out, new int[] {p + 1, -1});
                }
            }
        }
        for (int p = 0; p < n; p++) {
            for (String in : g.reads.get(nodeAt[p])) {
                int[] span = spans.get(in);
                if (span != null) {
                    span[1] = Math.max(span[1], p);
                }
            }
        }
        for (OnnxMl.ValueInfoProto out : g.modelOutputs) {
            int[] span = spans.get(out.getName());
            if (span != null) {
                span[1] = n;
            }
        }
    }

    static Lifetimes of(Graph g, int[] nodeAt) {
        return new Lifetimes(g, nodeAt);
    }

    /** Sum over the interior positions of the bytes crossing them: lower means cheaper cuts. */
    double interiorBytes(Map<String, ShapeProbe.Probed> probed) {
        double total = 0;
        for (Map.Entry<String, int[]> e : spans.entrySet()) {
            ShapeProbe.Probed p = probed.get(e.getKey());
            int from = Math.max(e.getValue()[0], 1);
            int to = Math.min(e.getValue()[1], n - 1);
            if (p != null && to >= from) {
                total += (double) p.bytes() * (to - from + 1);
            }
        }
        return total;
    }

    /** Names crossing each position 0..n; at n exactly the model outputs, in model order. */
    List<List<String>> crossing(List<String> modelOutputs) {
        List<List<String>> out = new ArrayList<>();
        for (int p = 0; p <= n; p++) {
            out.add(new ArrayList<>());
        }
        spans.forEach((name, span) -> {
            for (int p = span[0]; p <= Math.min(span[1], n - 1); p++) {
                out.get(p).add(name);
            }
        });
        out.set(n, List.copyOf(modelOutputs));
        return out;
    }
}
