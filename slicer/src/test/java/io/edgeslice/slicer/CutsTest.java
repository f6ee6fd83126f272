package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Balanced cuts on a residual model with made-up segment times at the block boundaries 0, 5, ..., 40. */
class CutsTest {
    @TempDir
    Path dir;
    Analysis a;

    @BeforeEach
    void analyse() throws Exception {
        a = Analysis.of(OnnxModel.load(TestGraphs.write(dir, "res.onnx", TestGraphs.residual(8))), InputShapes.none(),
                AnalysisTest.TWO_THREADS, null);
    }

    private Profile profile(List<Double> segmentMs) {
        List<Integer> positions = List.of(0, 5, 10, 15, 20, 25, 30, 35, 40);
        return new Profile(Profile.FORMAT, "res.onnx", a.model().sha256(), a.order().lowerName(), a.nodeCount(),
                Profile.shapeLists(a.inputShapes()), "test", 2, positions, positions.stream().map(p -> a.cut(p).bytes()).toList(),
                segmentMs, segmentMs.stream().mapToDouble(Double::doubleValue).sum(), 1);
    }

    @Test
    void equalSegmentsSplitEvenly() {
        Profile p = profile(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
        assertThat(Cuts.balanced(a, p, 2)).containsExactly(20);
        assertThat(Cuts.balanced(a, p, 4)).containsExactly(10, 20, 30);
        assertThat(Cuts.balanced(a, p, 1)).isEmpty();
    }

    @Test
    void aHeavySegmentGetsAStageOfItsOwn() {
        Profile p = profile(List.of(8.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
        assertThat(Cuts.balanced(a, p, 2)).containsExactly(5);
        assertThat(Cuts.balanced(a, p, 3)).as("then the other seven split 4+3 or 3+4").hasSize(2).startsWith(5);
    }

    @Test
    void aBigCrossingIsAvoidedWhenItsTransferWouldBeTheSlowestStep() {
        Profile equal = profile(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
        List<Long> bytes = new java.util.ArrayList<>(equal.bytes());
        bytes.set(4, 1_000_000L); // position 20: 8 ms on a gigabit link, more than any stage's compute
        Profile p = new Profile(equal.format(), equal.model(), equal.modelSha256(), equal.order(), equal.nodes(), equal.inputShapes(),
                equal.device(), equal.threads(), equal.positions(), bytes, equal.segmentMs(), equal.wholeMs(), equal.runs());
        assertThat(Cuts.balanced(a, p, 2)).containsAnyOf(15, 25).doesNotContain(20);
        assertThat(Cuts.balanced(a, p, 2, 1e9)).as("on an unlimited link compute balance decides").containsExactly(20);
    }

    @Test
    void aProfileWithoutSomePositionsMergesTheirSegments() {
        Profile p = profile(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0));
        Profile q = p.without(java.util.Set.of(10, 30, 0, 40)); // the ends stay: they are not interior
        assertThat(q.positions()).containsExactly(0, 5, 15, 20, 25, 35, 40);
        assertThat(q.segmentMs()).containsExactly(1.0, 5.0, 4.0, 5.0, 13.0, 8.0);
        assertThat(q.bytes()).containsExactly(a.cut(0).bytes(), a.cut(5).bytes(), a.cut(15).bytes(), a.cut(20).bytes(), a.cut(25).bytes(),
                a.cut(35).bytes(), a.cut(40).bytes());
        assertThat(Cuts.balanced(a, q, 2)).as("cuts only where positions are left").doesNotContain(10, 30);
    }

    @Test
    void rejectsMoreStagesThanCutsOrAForeignProfile() throws Exception {
        Profile p = profile(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0));
        assertThatThrownBy(() -> Cuts.balanced(a, p, 10)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("only 7 interior positions, too few for 10 stages");
        assertThatThrownBy(() -> Cuts.balanced(a, p, 41)).hasMessageContaining("it has only 39 valid cut positions");
        assertThatThrownBy(() -> Cuts.balanced(a, p, 2, 0)).hasMessageContaining("link bandwidth must be positive");
        Analysis other = Analysis.of(OnnxModel.load(TestGraphs.write(dir, "other.onnx", TestGraphs.residual(2))), InputShapes.none(),
                AnalysisTest.TWO_THREADS, null);
        assertThatThrownBy(() -> Cuts.balanced(other, p, 2)).hasMessageContaining("does not match");
    }
}
