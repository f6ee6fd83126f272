package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {
    @TempDir
    Path dir;

    private Analysis residual(int blocks) throws Exception {
        return Analysis.of(OnnxModel.load(TestGraphs.write(dir, "res.onnx", TestGraphs.residual(blocks))), InputShapes.none(),
                AnalysisTest.TWO_THREADS, null);
    }

    @Test
    void profilesEverySegmentOfARealModelAndReportsProgress() {
        OnnxModel model = OnnxModel.load(SampleModels.path(SampleModels.BLAZEFACE + "face_detection_back_256x256_barracuda.onnx"));
        Analysis a = Analysis.of(model, InputShapes.none(), AnalysisTest.TWO_THREADS, null);
        List<Integer> progress = new ArrayList<>();
        Profile p = Profiler.profile(a, "bench-box", new Profiler.Options(12, 1, 3, AnalysisTest.TWO_THREADS),
                (task, done, total) -> progress.add(done));
        assertThat(p.positions()).startsWith(0).endsWith(a.nodeCount()).isSorted().doesNotHaveDuplicates().hasSizeBetween(8, 13);
        assertThat(p.segmentMs()).hasSize(p.positions().size() - 1).allMatch(ms -> ms > 0);
        for (int i = 0; i < p.positions().size(); i++) {
            assertThat(p.bytes().get(i)).isEqualTo(a.cut(p.positions().get(i)).bytes());
        }
        // Each segment runs on its own, so together they cost at least a good part of the whole model.
        assertThat(p.segmentSumMs()).isGreaterThan(0.5 * p.wholeMs());
        double predicted = Math.min(p.wholeMs(), p.segmentSumMs());
        assertThat(p.ms(0, p.segmentMs().size())).as("predictions spread the whole model's time").isCloseTo(predicted,
                org.assertj.core.api.Assertions.offset(1e-9));
        double share = p.segmentMs().get(0) / p.segmentSumMs();
        assertThat(p.ms(0, 1)).isCloseTo(share * predicted, org.assertj.core.api.Assertions.offset(1e-9));
        assertThat(p.device()).isEqualTo("bench-box");
        assertThat(p.modelSha256()).isEqualTo(model.sha256());
        assertThat(progress).startsWith(0).endsWith(p.segmentMs().size() + 1).isSorted();
        assertThat(p.defaultFileName()).startsWith("face_detection_back_256x256_barracuda-" + model.sha256().substring(0, 12))
                .endsWith("-1x256x256x3-bench-box.profile.json");

        Path file = dir.resolve(p.defaultFileName());
        p.save(file);
        assertThat(Profile.load(file)).isEqualTo(p);
    }

    @Test
    void choosesBlockBoundariesSpreadByFlops() throws Exception {
        Analysis a = residual(8);
        // Block boundaries carry one tensor, positions inside a block two, and every block costs the same.
        assertThat(Profiler.positions(a, 8)).containsExactly(IntStream.rangeClosed(0, 8).map(b -> 5 * b).toArray());
        assertThat(Profiler.positions(a, 100)).as("few candidates: all of them").hasSize(41);
    }

    @Test
    void aProfileOnlyFitsTheAnalysisItWasMeasuredFor() throws Exception {
        Analysis a = residual(2);
        Profile p = Profiler.profile(a, "local", new Profiler.Options(4, 0, 1, AnalysisTest.TWO_THREADS), ProgressListener.NONE);
        p.checkMatches(a);
        Analysis other = Analysis.of(OnnxModel.load(TestGraphs.write(dir, "other.onnx", TestGraphs.residual(3))), InputShapes.none(),
                AnalysisTest.TWO_THREADS, null);
        assertThatThrownBy(() -> p.checkMatches(other)).isInstanceOf(SlicingException.class).hasMessageContaining("model sha256");
        Analysis det = Analysis.of(OnnxModel.load(SampleModels.path(SampleModels.OCR + "ch_ppocr_mobile_v2.0_cls_infer.onnx")),
                InputShapes.parse(List.of("x=1x3x48x192")), AnalysisTest.TWO_THREADS, null);
        Profile cls = Profiler.profile(det, "local", new Profiler.Options(4, 0, 1, AnalysisTest.TWO_THREADS), ProgressListener.NONE);
        Analysis wider = Analysis.of(det.model(), InputShapes.parse(List.of("x=1x3x48x96")), AnalysisTest.TWO_THREADS, null);
        assertThatThrownBy(() -> cls.checkMatches(wider)).hasMessageContaining("input shapes");
    }

    @Test
    void roundsTimeTheWholeModelAndEverySegmentAgainAndReportEachStep() throws Exception {
        Analysis a = residual(4);
        List<String> tasks = new ArrayList<>();
        List<Integer> done = new ArrayList<>();
        Profile p = Profiler.profile(a, "local", new Profiler.Options(4, 1, 2, 3, AnalysisTest.TWO_THREADS), (task, d, total) -> {
            tasks.add(task);
            done.add(d);
            assertThat(total).isEqualTo(3 * 5);
        });
        assertThat(p.segmentMs()).hasSize(4).allMatch(ms -> ms > 0 && Double.isFinite(ms));
        assertThat(p.wholeMs()).isPositive().isFinite();
        assertThat(done).startsWith(0).endsWith(15).isSorted().doesNotHaveDuplicates();
        assertThat(tasks).contains("profiling whole model (round 1 of 3)", "profiling segment 15-20 (round 3 of 3)");
        assertThat(Profiler.Options.DEFAULT.rounds()).as("deploy --stages profiles in rounds").isEqualTo(3);
        assertThat(new Profiler.Options(4, 1, 2, SessionSettings.DEFAULT).rounds()).isEqualTo(1);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> new Profiler.Options(0, 1, 1, SessionSettings.DEFAULT)).isInstanceOf(SlicingException.class);
        assertThatThrownBy(() -> new Profiler.Options(4, 1, 0, SessionSettings.DEFAULT)).isInstanceOf(SlicingException.class);
        assertThatThrownBy(() -> new Profiler.Options(4, 1, 1, 0, SessionSettings.DEFAULT)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("rounds 0");
    }
}
