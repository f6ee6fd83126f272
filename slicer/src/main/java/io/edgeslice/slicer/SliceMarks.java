package io.edgeslice.slicer;

/**
 * How a slice must run, as the slicer marks it in the slice's metadata_props.
 *
 * @param levelAll  run at ONNX Runtime's optimisation level all (the chain was found bit-exact there);
 *                  otherwise at extended, where every chain is exact
 * @param ortTarget "" for a slice of the portable graph; otherwise the {@link OrtTarget} of the
 *                  machine whose optimised graph it was cut from, the only target that may run it
 */
public record SliceMarks(boolean levelAll, String ortTarget) {
    /** A slice of the portable graph, run at level extended. */
    public static final SliceMarks PORTABLE = new SliceMarks(false, "");
    private static final SliceMarks PORTABLE_AT_ALL = new SliceMarks(true, "");

    public SliceMarks {
        if (ortTarget == null) {
            ortTarget = "";
        }
        if (!ortTarget.isEmpty() && !levelAll) {
            throw new IllegalArgumentException("a slice of an optimised graph runs at level all");
        }
    }

    /** A slice of the portable graph: at level all when its cuts keep the chain exact there ({@link ExactCuts}), else at extended. */
    public static SliceMarks portable(boolean levelAll) {
        return levelAll ? PORTABLE_AT_ALL : PORTABLE;
    }

    /** A slice of the graph ONNX Runtime optimised on this machine ({@link OptimizedGraph}): level all, this machine's target only. */
    public static SliceMarks optimizedHere() {
        return new SliceMarks(true, OrtTarget.local());
    }

    /** Whether this machine, of the given target, may run the slice; "" if so, else why not. */
    public String refusalOn(String localTarget) {
        if (ortTarget.isEmpty() || ortTarget.equals(localTarget)) {
            return "";
        }
        return "the slice was cut from ONNX Runtime's graph optimised for " + ortTarget + "; this machine is "
                + (localTarget.isEmpty() ? "of unknown target" : localTarget) + ": deploy it with --graph portable or on matching agents";
    }
}
