package io.edgeslice.cli;

import io.edgeslice.protocol.Tensor;
import java.util.List;

/** Largest element-wise difference between two lists of outputs; infinite when they do not line up. */
final class OutputDiff {
    private OutputDiff() {
    }

    static double maxAbsDiff(List<Tensor> expected, List<Tensor> actual) {
        if (expected.size() != actual.size()) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).name().equals(actual.get(i).name())) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, expected.get(i).maxAbsDiff(actual.get(i)));
        }
        return max;
    }
}
