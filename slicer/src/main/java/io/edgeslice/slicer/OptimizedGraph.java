package io.edgeslice.slicer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The graph ONNX Runtime actually runs on this machine: the model optimised at level all (fused
 * operators, convolutions in its blocked NCHWc layout) and saved as ONNX. Slices of the portable
 * graph each convert their tensors into that layout and back again, so every cut costs two reorders
 * the whole model does not do (M-LSD large in three slices: ~4 % more compute). Slices cut from this
 * graph run the whole model's very kernels, and their tensors cross the cuts in ONNX Runtime's own
 * layout. The price: the graph holds only for its {@link OrtTarget}; its slices are marked with it
 * ({@link SliceMarks}) and no machine of another target runs them.
 *
 * <p>Positions in this graph are not those of the portable model (nodes are fused and added): cuts
 * are chosen on its own {@link Analysis}.
 */
public final class OptimizedGraph {
    private OptimizedGraph() {
    }

    /**
     * Optimises {@code model} for this machine and writes the graph to {@code out}.
     *
     * @throws SlicingException if this machine's target is unknown or ONNX Runtime fails
     */
    public static Path write(Path model, Path out) {
        if (OrtTarget.local().isEmpty()) {
            throw new SlicingException("this machine's CPU features are unknown, so an optimised graph would not say where it can run");
        }
        if (!Files.isRegularFile(model)) {
            throw new SlicingException("model file " + model + " does not exist");
        }
        Ort.optimize(model, out);
        return out;
    }

    /**
     * Whether the chain of slices in {@code sliceDir}, cut from the optimised graph of {@code model},
     * equals {@code model} run whole at level all bit for bit (one thread, a random input): the
     * check that this machine's ONNX Runtime did not change arithmetic while optimising.
     */
    public static boolean chainExact(Path model, Path sliceDir) {
        try (Verifier v = Verifier.open(model, new SessionSettings(1, SessionSettings.Optimization.ALL))) {
            return v.verifyOptimized(sliceDir, Map.of(), 0).maxAbsDiff() == 0.0;
        }
    }
}
