package io.edgeslice.slicer;

import io.edgeslice.protocol.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Balanced cuts whose slices may run at ONNX Runtime's optimisation level all. At that level ONNX
 * Runtime rewrites convolutions into its blocked NCHWc layout, and at many cut positions a chain of
 * slices then computes some float sums in another order than the whole model (differences ~1e-4);
 * at others the chain stays bit-exact. A position is tested by cutting there once and comparing the
 * two-slice chain with the whole model at level all on a random input (1 thread): kernels that match
 * give identical bits for any input, kernels that differ give differences for practically any input.
 * Level all runs M-LSD ~1.6x faster than level extended, where every chain is exact.
 *
 * <p>The result holds for the CPU it was tested on: another SIMD width (AVX2 against AVX-512) may
 * lay NCHWc blocks out differently, as it changes the whole model's own float results there too.
 */
public final class ExactCuts {
    private final Analysis analysis;
    private final Map<Integer, Boolean> tested = new HashMap<>();

    public ExactCuts(Analysis analysis) {
        this.analysis = analysis;
    }

    /**
     * {@link Cuts#balanced} among the profile's positions where a cut keeps the chain exact at level
     * all, or null if too few such positions are left for {@code stages} slices. Cuts the balance
     * picks are tested, failing ones removed and the balance redone, so only a few positions are tested.
     */
    public int[] balanced(Profile profile, int stages) {
        Set<Integer> removed = new HashSet<>();
        while (true) {
            Profile allowed = profile.without(removed);
            if (allowed.positions().size() - 1 < stages) {
                return null;
            }
            int[] cuts = Cuts.balanced(analysis, allowed, stages);
            boolean exact = true;
            for (int c : cuts) {
                if (!exactAt(c)) {
                    removed.add(c);
                    exact = false;
                }
            }
            if (exact) {
                return cuts;
            }
        }
    }

    /** Whether every one of these cuts keeps the chain exact at level all (none: trivially). */
    public boolean allExact(int[] cuts) {
        for (int c : cuts) {
            if (!exactAt(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a chain cut at this position equals the whole model bit for bit at level all. */
    public boolean exactAt(int position) {
        Boolean known = tested.get(position);
        if (known != null) {
            return known;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("edgeslice-exact-");
            Slicer.slice(analysis, new int[] {position}, dir);
            SessionSettings all = new SessionSettings(1, SessionSettings.Optimization.ALL);
            boolean exact = Verifier.verify(dir, Map.of(), all, 0).maxAbsDiff() == 0.0;
            tested.put(position, exact);
            return exact;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot test cut " + position + ": " + e.getMessage(), e);
        } finally {
            FileTrees.delete(dir);
        }
    }

}
