package io.edgeslice.slicer;

import java.util.Map;

/**
 * Outcome of running a slice chain and the whole model on the same input.
 *
 * @param slices      number of slices in the chain
 * @param maxAbsDiff  largest absolute difference over all elements of all model outputs (infinite if a shape differs)
 * @param wholeMs     median latency of the whole model
 * @param chainMs     median latency of the in-process chain
 * @param outputDiffs largest absolute difference per model output
 */
public record Verification(int slices, double maxAbsDiff, double wholeMs, double chainMs, Map<String, Double> outputDiffs) {
    /** Tolerance the command line uses. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    public Verification {
        outputDiffs = Map.copyOf(outputDiffs);
    }

    /** True if every output agrees within the tolerance (false for NaN differences). */
    public boolean passed(double tolerance) {
        return maxAbsDiff <= tolerance;
    }
}
