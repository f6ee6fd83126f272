package io.edgeslice.console.models;

import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cut;
import io.edgeslice.slicer.TensorSpec;
import java.util.List;

/**
 * What the slicer found in a model for the input shapes given: inputs, outputs, the usable cut
 * positions with the bytes crossing each, and the graph for the DAG.
 */
public record ModelAnalysis(Analysis analysis, ModelGraph graph, List<TensorSpec> inputs, List<TensorSpec> outputs,
                            List<Cut> candidates) {
    public ModelAnalysis {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        candidates = List.copyOf(candidates);
    }

    /** Nodes in the order (constants excluded); cut positions run from 0 to this. */
    public int nodeCount() {
        return analysis.nodeCount();
    }

    /** The candidate at {@code position}, or null if it cannot be cut there. */
    public Cut candidate(int position) {
        for (Cut c : candidates) {
            if (c.position() == position) {
                return c;
            }
        }
        return null;
    }
}
