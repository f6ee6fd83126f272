package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasuredCutsTest {
    @TempDir
    Path dir;

    private Analysis residual() throws Exception {
        return Analysis.of(OnnxModel.load(TestGraphs.write(dir, "res.onnx", TestGraphs.residual(8))), InputShapes.none(),
                AnalysisTest.TWO_THREADS, null);
    }

    private static Profile profile(Analysis a, List<Integer> positions) {
        List<Double> ms = positions.stream().skip(1).map(p -> 1.0).toList();
        return new Profile(Profile.FORMAT, "res.onnx", a.model().sha256(), a.order().lowerName(), a.nodeCount(),
                Profile.shapeLists(a.inputShapes()), "test", 2, positions, positions.stream().map(p -> a.cut(p).bytes()).toList(),
                ms, ms.size(), 1);
    }

    private static List<List<Integer>> asLists(List<int[]> sets) {
        return sets.stream().map(s -> Arrays.stream(s).boxed().toList()).toList();
    }

    @Test
    void theNeighbourhoodMovesOneCutAtATimeToAnAdjacentProfilePosition() throws Exception {
        Analysis a = residual();
        Profile p = profile(a, List.of(0, 5, 10, 15, 20, 25, 30, 35, 40));
        assertThat(asLists(MeasuredCuts.neighbourhood(p, new int[] {15, 25}))).containsExactly(
                List.of(15, 25), List.of(10, 25), List.of(20, 25), List.of(15, 20), List.of(15, 30));
        assertThat(asLists(MeasuredCuts.neighbourhood(p, new int[] {20, 25})))
                .as("cuts stay strictly increasing").containsExactly(List.of(20, 25), List.of(15, 25), List.of(20, 30));
        assertThat(asLists(MeasuredCuts.neighbourhood(p, new int[] {5, 35})))
                .as("and inside the model").containsExactly(List.of(5, 35), List.of(10, 35), List.of(5, 30));
        assertThatThrownBy(() -> MeasuredCuts.neighbourhood(p, new int[] {12}))
                .isInstanceOf(SlicingException.class).hasMessageContaining("cut 12 is not a position of the profile");
    }

    @Test
    void theShortestSlowestSliceWinsAndNearlyEqualOnesGoToTheLeastTotalCompute() {
        MeasuredCuts.Timed balanced = new MeasuredCuts.Timed(List.of(63, 68), List.of(40.0, 57.0, 49.0));
        MeasuredCuts.Timed lopsided = new MeasuredCuts.Timed(List.of(63, 69), List.of(40.0, 82.0, 26.0));
        assertThat(balanced.stepMs()).isEqualTo(57.0);
        assertThat(lopsided.totalMs()).isEqualTo(148.0);
        assertThat(MeasuredCuts.best(List.of(lopsided, balanced))).isSameAs(balanced);
        MeasuredCuts.Timed a = new MeasuredCuts.Timed(List.of(10), List.of(50.0, 40.0));
        MeasuredCuts.Timed b = new MeasuredCuts.Timed(List.of(12), List.of(50.5, 30.0));
        MeasuredCuts.Timed c = new MeasuredCuts.Timed(List.of(14), List.of(49.0, 60.0));
        assertThat(MeasuredCuts.best(List.of(a, b, c))).as("a step within 2 %% of the best, and less compute").isSameAs(b);
        assertThatThrownBy(() -> MeasuredCuts.best(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timesEachDistinctSliceOfARealModelForEverySetItIsIn() throws Exception {
        Analysis a = residual();
        Profiler.Options options = new Profiler.Options(8, 1, 3, AnalysisTest.TWO_THREADS);
        try (MeasuredCuts m = new MeasuredCuts(a, options)) {
            List<MeasuredCuts.Timed> timed = m.time(List.of(new int[] {15, 25}, new int[] {15, 30}, new int[] {}));
            assertThat(timed).hasSize(3);
            MeasuredCuts.Timed t = timed.get(0);
            assertThat(t.cuts()).containsExactly(15, 25);
            assertThat(t.stageMs()).hasSize(3).allMatch(ms -> ms > 0);
            assertThat(timed.get(1).stageMs().get(0)).as("slice 0-15, timed once for both sets").isEqualTo(t.stageMs().get(0));
            assertThat(timed.get(2).stageMs()).as("no cuts: the whole model").hasSize(1).allMatch(ms -> ms > 0);
        }
    }
}
