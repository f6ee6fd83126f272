package io.edgeslice.console.models;

import io.edgeslice.console.Format;
import io.edgeslice.protocol.Message;
import io.edgeslice.slicer.Analysis;
import java.util.List;

/**
 * One slice of a model, as the Slice DAG shows it: nodes [start, end) of the model cut at
 * {@code cuts}. If the model has a route, {@code stage} is the route's stage for this slice
 * (dropping it on an agent moves it there); else it is null and dropping it deploys the model as a
 * route cut at {@code cuts}, this slice on the drop target and the others placed by the broker.
 *
 * @param index     the slice's index in the chain, from 0
 * @param sizeBytes the slice file's size if routed, else an estimate (the model's size shared by parameter count)
 * @param analysis  the analysis the cuts refer to, needed to cut the model
 */
public record ModelSlice(String modelHash, String modelName, int index, int start, int end, long sizeBytes, List<Integer> cuts,
                         Message.Stage stage, Analysis analysis) implements Deployable {
    public ModelSlice {
        cuts = List.copyOf(cuts);
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("a slice covers at least one node; got [" + start + ", " + end + ")");
        }
    }

    /** Whether the model has a route this slice belongs to. */
    public boolean routed() {
        return stage != null;
    }

    /** Slices in the chain: interior cuts plus one. */
    public int sliceCount() {
        return cuts.size() + 1;
    }

    @Override
    public String label() {
        return "slice " + (index + 1) + " [" + start + "–" + end + ") of " + modelName;
    }

    /** The size as shown: exact for a routed slice, marked approximate otherwise. */
    public String sizeText() {
        return (routed() ? "" : "≈") + Format.bytes(sizeBytes);
    }

    /**
     * The file size a slice of an unsliced model will have, roughly: the model's size shared out by
     * parameter count (weights dominate a model file), by node count if the model has no parameters.
     */
    public static long estimateSize(Analysis a, long modelBytes, int start, int end) {
        long total = a.nodes().stream().mapToLong(n -> n.params()).sum();
        if (total <= 0) {
            return Math.max(1, modelBytes * (end - start) / Math.max(1, a.nodeCount()));
        }
        long params = a.nodes().stream().filter(n -> n.position() >= start && n.position() < end).mapToLong(n -> n.params()).sum();
        return Math.max(1, (long) ((double) modelBytes * params / total));
    }
}
