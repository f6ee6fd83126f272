package io.edgeslice.slicer;

/**
 * Cost estimate of one node.
 *
 * @param position index in the analysis order
 * @param name     node name, or {@code #index} (its index in the file) if it has none
 * @param opType   ONNX operator
 * @param flops    estimated floating-point operations for the analysed input shapes
 * @param params   elements of the constant tensors (weights) it reads
 */
public record NodeCost(int position, String name, String opType, long flops, long params) {
}
