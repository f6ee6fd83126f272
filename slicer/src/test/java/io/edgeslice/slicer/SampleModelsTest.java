package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample model, cut into 2, 3 and 4 stages at balanced (profiled) and at evenly spread cuts,
 * must give the whole model's outputs. One analysis, profile and whole-model session per model.
 */
class SampleModelsTest {
    static final SessionSettings RUN = new SessionSettings(2, SessionSettings.Optimization.ALL);
    static final Profiler.Options QUICK = new Profiler.Options(24, 1, 3, RUN);

    @TempDir
    Path dir;

    static Stream<SampleModels.Sample> samples() {
        return SampleModels.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void slicesAtBalancedAndEvenCutsReproduceTheWholeModel(SampleModels.Sample sample) {
        OnnxModel model = OnnxModel.load(sample.path());
        Analysis a = Analysis.of(model, InputShapes.parse(sample.shapes()), RUN, null);
        Profile profile = Profiler.profile(a, "test", QUICK, ProgressListener.NONE);
        List<String> failures = new ArrayList<>();
        try (Verifier verifier = Verifier.open(model.path(), SessionSettings.VERIFY.withThreads(2))) {
            for (int stages = 2; stages <= 4; stages++) {
                int[] balanced = Cuts.balanced(a, profile, stages);
                int[] even = Cuts.evenlySpread(a, stages);
                assertThat(profile.positions()).containsAll(Arrays.stream(balanced).boxed().toList());
                for (int[] cuts : List.of(balanced, even)) {
                    Path out = dir.resolve(stages + "-" + Arrays.toString(cuts).replaceAll("[^0-9]+", "_"));
                    Manifest m = Slicer.slice(a, cuts, out);
                    assertThat(m.slices()).hasSize(stages);
                    Verification v = verifier.verify(out, Map.of(), 0);
                    assertThat(v.outputDiffs().keySet()).containsExactlyInAnyOrderElementsOf(model.outputNames());
                    if (!(v.maxAbsDiff() <= 1e-5)) {
                        failures.add(stages + " stages at " + Arrays.toString(cuts) + ": max abs diff " + v.maxAbsDiff());
                    }
                }
            }
        }
        assertThat(failures).as(sample.name()).isEmpty();
    }
}
