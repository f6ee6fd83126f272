package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.edgeslice.protocol.DType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalysisTest {
    static final SessionSettings TWO_THREADS = new SessionSettings(2, SessionSettings.Optimization.ALL);

    @TempDir
    Path dir;

    private Analysis analyse(OnnxMl.ModelProto m, String... shapes) throws Exception {
        return Analysis.of(OnnxModel.load(TestGraphs.write(dir, "m.onnx", m)), InputShapes.parse(List.of(shapes)), TWO_THREADS, null);
    }

    private static List<String> names(Cut c) {
        return c.tensors().stream().map(TensorSpec::name).toList();
    }

    @Test
    void aResidualBlockBoundaryCarriesOneTensorAndItsInsideTwo() throws Exception {
        Analysis a = analyse(TestGraphs.residual(3));
        assertThat(a.nodeCount()).isEqualTo(15);
        assertThat(names(a.cut(0))).containsExactly("x");
        assertThat(names(a.cut(5))).containsExactly("b0out");
        assertThat(names(a.cut(10))).containsExactly("b1out");
        assertThat(names(a.cut(15))).containsExactly("y");
        assertThat(names(a.cut(6))).containsExactlyInAnyOrder("b0out", "b1c1");
        assertThat(names(a.cut(8))).containsExactlyInAnyOrder("b0out", "b1c2");
        assertThat(a.cut(5).bytes()).isEqualTo(4L * 8 * 8 * 4);
        assertThat(a.cut(6).bytes()).isEqualTo(2 * a.cut(5).bytes());
        assertThat(a.cut(5).tensors().get(0)).isEqualTo(new TensorSpec("b0out", DType.FLOAT32, new long[] {1, 4, 8, 8}));
    }

    @Test
    void convolutionCostsTwoFlopsPerMultiplyAccumulate() throws Exception {
        Analysis a = analyse(TestGraphs.residual(1));
        NodeCost conv = a.nodes().get(0);
        assertThat(conv.opType()).isEqualTo("Conv");
        // 4x8x8 outputs, each 4 input channels x 3x3 taps.
        assertThat(conv.flops()).isEqualTo(2L * 4 * 8 * 8 * 4 * 9);
        assertThat(conv.params()).isEqualTo(4 * 4 * 9 + 4);
        assertThat(a.nodes().get(1).flops()).as("Relu: one per output element").isEqualTo(4 * 8 * 8);
        assertThat(a.totalParams()).isEqualTo(2 * (4 * 4 * 9 + 4));
        assertThat(a.cut(2).flopsBefore()).isEqualTo(conv.flops() + 256);
        assertThat(a.totalFlops()).isEqualTo(a.nodes().stream().mapToLong(NodeCost::flops).sum());
    }

    @Test
    void choosesAnOrderThatFinishesOneBranchBeforeTheNext() throws Exception {
        Analysis chosen = analyse(TestGraphs.interleavedBranches());
        Analysis file = Analysis.of(chosen.model(), InputShapes.none(), TWO_THREADS, Order.FILE);
        assertThat(chosen.order()).isNotEqualTo(Order.FILE);
        assertThat(interiorBytes(chosen)).isLessThan(interiorBytes(file));
        // Some position between the branches carries only one finished branch (4 channels) and x or the other.
        long narrow = 2L * 4 * 8 * 8 * 4;
        assertThat(chosen.candidates()).anyMatch(c -> c.position() > 0 && c.position() < 5 && c.bytes() == narrow);
        assertThat(file.candidates()).noneMatch(c -> c.position() == 2 && c.bytes() <= narrow);
    }

    private static long interiorBytes(Analysis a) {
        return a.candidates().stream().filter(c -> c.position() > 0 && c.position() < a.nodeCount()).mapToLong(Cut::bytes).sum();
    }

    @Test
    void constantNodesNeverCrossAndAreNotPositions() throws Exception {
        Analysis a = analyse(TestGraphs.sharedConstant(), "x=2x3");
        assertThat(a.nodeCount()).as("Add, Relu, Mul; the Constant is left out").isEqualTo(3);
        for (Cut c : a.candidates()) {
            assertThat(names(c)).doesNotContain("c");
        }
        assertThat(names(a.cut(2))).containsExactly("y1", "r");
        assertThat(names(a.cut(3))).as("the model outputs, in model order").containsExactly("y2", "y1");
    }

    @Test
    void subgraphReadsOfOuterTensorsCountAsReads() throws Exception {
        Analysis a = analyse(TestGraphs.ifModel());
        assertThat(a.nodes().stream().map(NodeCost::opType)).containsExactly("Relu", "ReduceSum", "Greater", "If", "Mul");
        assertThat(names(a.cut(3))).containsExactlyInAnyOrder("r", "cond");
        assertThat(a.tensor("cond").dtype()).isEqualTo(DType.BOOL);
    }

    @Test
    void aPositionWhereAnUntransportableTensorCrossesIsNoCandidate() throws Exception {
        Analysis a = analyse(TestGraphs.uint32Crossing());
        assertThat(a.candidates().stream().map(Cut::position)).containsExactly(0, 2, 3);
        assertThat(a.whyNotCut(1)).hasValueSatisfying(why -> assertThat(why).contains("'u'").contains("uint32"));
        assertThatThrownBy(() -> a.cut(1)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("cannot cut at position 1").hasMessageContaining("uint32");
    }

    @Test
    void findsTypesAndShapesOfEveryIntermediateWithoutValueInfo() throws Exception {
        OnnxModel det = OnnxModel.load(SampleModels.path(SampleModels.OCR + "ch_PP-OCRv4_det_infer.onnx"));
        assertThat(det.proto().getGraph().getValueInfoCount()).isZero();
        Analysis a = Analysis.of(det, InputShapes.parse(List.of("x=1x3x64x96")), TWO_THREADS, null);
        assertThat(a.outputs()).containsExactly(new TensorSpec("sigmoid_0.tmp_0", DType.FLOAT32, new long[] {1, 1, 64, 96}));
        for (Cut c : a.candidates()) {
            for (TensorSpec t : c.tensors()) {
                assertThat(t.shape()).as(t.name()).hasSize(4);
                assertThat(java.util.Arrays.stream(t.shape()).min().getAsLong()).as(t.name()).isPositive();
            }
        }
        assertThat(a.interiorCuts().length).isEqualTo(a.nodeCount() - 1);
    }

    @Test
    void reportsAModelThatFailsOnTheGivenShape() throws Exception {
        // Reshape to a fixed [1,6] only works when x has 6 elements.
        OnnxMl.TensorProto six = OnnxMl.TensorProto.newBuilder().setName("six").setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .addDims(2).addInt64Data(1).addInt64Data(6).build();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("reshape").addInput(TestGraphs.value("x", TestGraphs.FLOAT, -1, 3))
                .addInitializer(six).addNode(TestGraphs.node("Reshape", "reshape", List.of("x", "six"), List.of("y")))
                .addOutput(TestGraphs.value("y", TestGraphs.FLOAT, 1, 6));
        assertThat(analyse(TestGraphs.model(13, g), "x=2x3").nodeCount()).isEqualTo(1);
        assertThatThrownBy(() -> analyse(TestGraphs.model(13, g), "x=1x3")).isInstanceOf(SlicingException.class)
                .hasMessageContaining("on input shapes x=1x3 failed");
    }
}
