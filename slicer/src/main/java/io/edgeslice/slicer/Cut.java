package io.edgeslice.slicer;

import java.util.List;

/**
 * A position in a model's node order where it can be cut, and what must be sent across.
 *
 * @param position    nodes before it form the earlier slice; 0 and the node count are the trivial cuts
 * @param tensors     tensors produced before the position (or model inputs) that are still needed after it,
 *                    including model outputs already computed
 * @param bytes       total size of those tensors for the analysed input shapes
 * @param flopsBefore estimated FLOPs of the nodes before the position
 */
public record Cut(int position, List<TensorSpec> tensors, long bytes, long flopsBefore) {
    public Cut {
        tensors = List.copyOf(tensors);
    }
}
