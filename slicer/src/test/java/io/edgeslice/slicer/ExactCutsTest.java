package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * M-LSD large at ONNX Runtime's level all, where only some cut positions keep a chain bit-exact:
 * the balanced cuts ExactCuts picks give a chain equal to the whole model bit for bit at that level,
 * and the slices cut there carry the mark that makes agents run them at level all.
 */
class ExactCutsTest {
    @TempDir
    Path dir;

    @Test
    void balancedCutsAmongExactPositionsGiveAChainEqualToTheWholeModelAtLevelAll() {
        Analysis a = Analysis.of(OnnxModel.load(SampleModels.path(SampleModels.MLSD + "mlsd_320x320_large.onnx")), InputShapes.none(),
                AnalysisTest.TWO_THREADS, null);
        Profile profile = Profiler.profile(a, "test", new Profiler.Options(24, 1, 2, new SessionSettings(1, SessionSettings.Optimization.EXTENDED)),
                ProgressListener.NONE);
        ExactCuts exact = new ExactCuts(a);
        int[] cuts = exact.balanced(profile, 3);
        assertThat(cuts).isNotNull().hasSize(2);
        for (int c : cuts) {
            assertThat(exact.exactAt(c)).isTrue();
        }

        Manifest m = Slicer.slice(a, cuts, dir, true);
        Verification v = Verifier.verify(dir, Map.of(), new SessionSettings(1, SessionSettings.Optimization.ALL), 0);
        assertThat(v.maxAbsDiff()).isZero();
        for (Manifest.Slice s : m.slices()) {
            assertThat(Slicer.runsAtLevelAll(dir.resolve(s.file()))).isTrue();
        }
    }

    @Test
    void slicesCutWithoutTheMarkRunAtExtended() {
        Analysis a = Analysis.of(OnnxModel.load(SampleModels.path(SampleModels.BLAZEFACE + "face_detection_front_128x128_barracuda.onnx")),
                InputShapes.none(), AnalysisTest.TWO_THREADS, null);
        Manifest m = Slicer.slice(a, new int[] {40}, dir);
        assertThat(m.slices()).allSatisfy(s -> assertThat(Slicer.runsAtLevelAll(dir.resolve(s.file()))).isFalse());
    }
}
