package io.edgeslice.console.dag;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.console.Fixtures;
import io.edgeslice.console.models.ModelGraph;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cut;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.TensorSpec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SliceDagTest {
    static Analysis ocr;
    static ModelGraph ocrGraph;
    static List<Integer> ocrCandidates;

    @BeforeAll
    static void analyse() throws Exception {
        ocr = Analysis.of(OnnxModel.load(Fixtures.ocrDetector()), InputShapes.parse(List.of("x=1x3x64x64")));
        ocrGraph = ModelGraph.of(ocr);
        ocrCandidates = ocr.candidates().stream().map(Cut::position).toList();
    }

    @Test
    void theGraphHasAnEdgeIntoEveryNodeButTheFirst() {
        assertThat(ocrGraph.nodeCount()).isGreaterThan(300);
        Set<Integer> fed = ocrGraph.edges().stream().map(ModelGraph.Edge::to).collect(Collectors.toSet());
        for (int p = 0; p < ocrGraph.nodeCount(); p++) {
            assertThat(fed).as("node %d has an input edge", p).contains(p);
        }
        assertThat(ocrGraph.edges()).allSatisfy(e -> assertThat(e.from()).isLessThan(e.to()));
        assertThat(ocrGraph.edges()).anySatisfy(e -> assertThat(e.from()).isEqualTo(-1));
        assertThat(ocrGraph.edges()).anySatisfy(e -> assertThat(e.to()).isEqualTo(ocrGraph.nodeCount()));
    }

    @Test
    void aLargeModelCollapsesIntoBlocksOfAtMostTheBlockSize() {
        SliceDag dag = SliceDag.build(ocrGraph, List.of(), ocrCandidates, Set.of());
        assertThat(dag.units().size()).isLessThan(ocrGraph.nodeCount() / 8);
        List<SliceDag.Unit> blocks = dag.units().stream().filter(u -> u.kind() == SliceDag.Kind.BLOCK).toList();
        assertThat(blocks).allSatisfy(b -> assertThat(b.nodeCount()).isBetween(3, SliceDag.BLOCK_NODES));
        int covered = dag.units().stream().filter(u -> u.slice() >= 0).mapToInt(SliceDag.Unit::nodeCount).sum();
        assertThat(covered).isEqualTo(ocrGraph.nodeCount());
    }

    @Test
    void expandingABlockShowsItsNodes() {
        SliceDag collapsed = SliceDag.build(ocrGraph, List.of(), ocrCandidates, Set.of());
        SliceDag.Unit block = collapsed.units().stream().filter(u -> u.kind() == SliceDag.Kind.BLOCK).findFirst().orElseThrow();
        SliceDag expanded = SliceDag.build(ocrGraph, List.of(), ocrCandidates, Set.of(block.start()));
        assertThat(expanded.units()).hasSize(collapsed.units().size() - 1 + block.nodeCount());
        assertThat(expanded.unit("n:" + block.start())).isNotNull();
    }

    @Test
    void edgesCrossingACutCarryTheTensorsTheSlicerSaysCrossIt() {
        int[] cuts = Cuts.evenlySpread(ocr, 3);
        SliceDag dag = SliceDag.build(ocrGraph, Arrays.stream(cuts).boxed().toList(), ocrCandidates, Set.of());
        assertThat(dag.slices()).hasSize(3);
        Set<String> crossingTensors = new HashSet<>();
        dag.links().stream().filter(SliceDag.Link::crossing).forEach(l -> {
            assertThat(l.bytes()).isPositive();
            crossingTensors.addAll(l.tensors());
        });
        Set<String> slicer = new HashSet<>();
        for (int c : cuts) {
            ocr.cut(c).tensors().stream().map(TensorSpec::name).forEach(slicer::add);
        }
        assertThat(crossingTensors).isNotEmpty();
        assertThat(slicer).containsAll(crossingTensors);
    }

    @Test
    void theLayoutPlacesEveryUnitAndOutlinesEverySlice() {
        int[] cuts = Cuts.evenlySpread(ocr, 3);
        SliceDag dag = SliceDag.build(ocrGraph, Arrays.stream(cuts).boxed().toList(), ocrCandidates, Set.of());
        DagGeometry g = DagLayout.layout(dag);
        assertThat(g.units().keySet()).containsExactlyInAnyOrderElementsOf(dag.units().stream().map(SliceDag.Unit::id).toList());
        assertThat(g.slices().stream().map(DagGeometry.SliceBox::slice).distinct()).containsExactly(0, 1, 2);
        for (SliceDag.Unit u : dag.units()) {
            DagGeometry.Box b = g.units().get(u.id());
            assertThat(b.x() + b.w()).isLessThanOrEqualTo(g.width());
            if (u.slice() >= 0) {
                assertThat(g.slices()).anySatisfy(s -> {
                    assertThat(s.slice()).isEqualTo(u.slice());
                    assertThat(s.box().contains(b.x() + b.w() / 2, b.y() + b.h() / 2)).isTrue();
                });
            }
        }
        assertThat(g.routes()).hasSize(dag.links().size());
        // wrapped into rows: a deep chain must not come out as one long line
        assertThat(g.width() / g.height()).isLessThan(8);
    }
}
