package io.edgeslice.console.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Fixtures;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background work runs inline here, so each command completes before it returns. */
class ModelsViewModelTest {
    @TempDir
    Path dir;
    private final Fixtures.FakeSource source = new Fixtures.FakeSource();
    private final List<Notice> notices = new ArrayList<>();
    private final ConsoleSelection selection = new ConsoleSelection();
    private final ModelsViewModel vm = new ModelsViewModel(source, UiDispatcher.on(Runnable::run), Runnable::run, notices::add, selection);

    @Test
    void aFileThatIsNotOnnxIsRefusedAndChangesNothing() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a model");
        CompletableFuture<ModelItem> f = vm.addModel(notes, "");
        assertThat(f).isCompletedExceptionally();
        assertThat(vm.models()).isEmpty();
        assertThat(source.imported).isEmpty();
        assertThat(notices).singleElement().satisfies(n -> {
            assertThat(n.severity()).isEqualTo(BrokerEvent.Severity.ERROR);
            assertThat(n.message()).isEqualTo("notes.txt is not an ONNX model: expected a .onnx file");
        });
    }

    @Test
    void aFileNamedOnnxThatIsNotAModelIsRefusedWithTheSlicersReason() throws Exception {
        Path fake = Files.write(dir.resolve("fake.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThat(vm.addModel(fake, "")).isCompletedExceptionally();
        assertThat(vm.models()).isEmpty();
        assertThat(source.imported).isEmpty();
        assertThat(notices).singleElement().satisfies(n -> assertThat(n.message()).contains("fake.onnx").contains("not an ONNX model"));
    }

    @Test
    void aModelIsImportedIntoTheBrokerAndAnalysed() throws Exception {
        ModelItem m = vm.addModel(Fixtures.blazefaceFront(), "").get();
        assertThat(source.imported).containsExactly(Fixtures.blazefaceFront());
        assertThat(vm.models()).containsExactly(m);
        assertThat(vm.selectedProperty().get()).isSameAs(m);
        assertThat(selection.modelHashProperty().get()).isEqualTo(m.hash());
        assertThat(m.status()).isEqualTo(ModelItem.Status.READY);
        ModelAnalysis a = m.analysis();
        assertThat(a.inputs()).singleElement().satisfies(t -> assertThat(t.shape()).containsExactly(1, 128, 128, 3));
        assertThat(a.outputs()).hasSize(4);
        assertThat(a.candidates().size()).isGreaterThan(10);
        assertThat(a.graph().nodeCount()).isEqualTo(a.nodeCount());
        assertThat(vm.label(m.hash())).isEqualTo("face_detection_front_128x128_barracuda.onnx");
        assertThat(vm.label("0123456789abcdef")).isEqualTo("0123456789ab");
    }

    @Test
    void addingTheSameModelTwiceKeepsOneEntry() throws Exception {
        vm.addModel(Fixtures.blazefaceFront(), "").get();
        vm.addModel(Fixtures.blazefaceFront(), "").get();
        assertThat(vm.models()).hasSize(1);
        assertThat(notices).singleElement().satisfies(n -> assertThat(n.title()).isEqualTo("Already added"));
    }

    @Test
    void aDynamicModelNeedsInputShapesAndSaysWhich() throws Exception {
        ModelItem m = vm.addModel(Fixtures.ocrDetector(), "").get();
        assertThat(m.status()).isEqualTo(ModelItem.Status.FAILED);
        assertThat(m.messageProperty().get()).contains("input 'x' has dynamic shape").contains("x=DIMS");
        m.shapesProperty().set("x=1x3x64x64");
        vm.analyse(m);
        assertThat(m.status()).isEqualTo(ModelItem.Status.READY);
        assertThat(m.analysis().nodeCount()).isGreaterThan(300);
    }

    @Test
    void cutsAreCheckedByTheSlicer() throws Exception {
        ModelItem m = vm.addModel(Fixtures.blazefaceFront(), "").get();
        assertThat(vm.splitEvenly(m, 3)).isTrue();
        assertThat(m.cuts()).hasSize(2);
        int first = m.cuts().get(0);
        assertThat(vm.toggleCut(m, first)).isTrue();
        assertThat(m.cuts()).hasSize(1).doesNotContain(first);
        assertThat(vm.setCuts(m, List.of(0))).isFalse();
        assertThat(notices).last().satisfies(n -> assertThat(n.message()).contains("out of range"));
        assertThat(m.cuts()).hasSize(1);
    }

    @Test
    void undeployingWithdrawsTheRoutesAndSaysSoOrWhyNot() throws Exception {
        ModelItem m = vm.addModel(Fixtures.blazefaceFront(), "").get();
        int n = m.analysis().nodeCount();
        vm.undeploy(m);
        assertThat(source.routeCommands).isEmpty();
        assertThat(notices).last().satisfies(n1 -> assertThat(n1.message()).contains("has no route"));

        io.edgeslice.protocol.Message.Route route = new io.edgeslice.protocol.Message.Route(m.hash(), 2, List.of(
                new io.edgeslice.protocol.Message.Stage(0, n, "cd".repeat(32), 1, "a", "tcp://127.0.0.1:1")));
        vm.apply(List.of(), List.of(route));
        source.undeployResult = CompletableFuture.completedFuture(List.of(route));
        vm.undeploy(m);
        assertThat(source.routeCommands).containsExactly("undeploy:" + m.hash());
        assertThat(notices).last().satisfies(n2 -> assertThat(n2.message()).isEqualTo("withdrew 1 route"));

        source.undeployResult = CompletableFuture.failedFuture(new IllegalStateException("no route is deployed for model abc"));
        vm.undeploy(m);
        assertThat(notices).last().satisfies(n3 -> {
            assertThat(n3.title()).isEqualTo("Cannot undeploy " + m.fileName());
            assertThat(n3.message()).contains("no route is deployed");
        });
    }

    @Test
    void hostsComeFromTheAgentsHeartbeats() throws Exception {
        ModelItem m = vm.addModel(Fixtures.blazefaceFront(), "").get();
        vm.apply(List.of(Fixtures.row("a", "healthy", 1, Fixtures.GB, m.hash()), Fixtures.row("b", "healthy", 1, Fixtures.GB)), List.of());
        assertThat(m.hostedOn()).containsExactly("a");
        assertThat(m.asDeployable()).isEqualTo(new WholeModel(m.hash(), m.fileName(), m.sizeBytes()));
    }

    @Test
    void slicesOfARoutedModelAreNamedByTheirModelAndRange() throws Exception {
        ModelItem m = vm.addModel(Fixtures.blazefaceFront(), "").get();
        int n = m.analysis().nodeCount();
        vm.apply(List.of(), List.of(new io.edgeslice.protocol.Message.Route(m.hash(), 2, List.of(
                new io.edgeslice.protocol.Message.Stage(0, 40, "slice-a", 10, "a", ""),
                new io.edgeslice.protocol.Message.Stage(40, n, "slice-b", 10, "b", "")))));
        assertThat(m.routeCuts()).containsExactly(40);
        assertThat(vm.label("slice-b")).isEqualTo(m.fileName() + " [40–" + n + ")");
        assertThat(m.replicas()).isEqualTo(1);
        vm.apply(List.of(), List.of());
        assertThat(m.route()).isNull();
        assertThat(vm.label("slice-b")).isEqualTo("slice-b");
    }

    @Test
    void withSeveralReplicasTheFirstRouteIsShownAndTheCountKept() throws Exception {
        ModelItem m = vm.addModel(Fixtures.blazefaceFront(), "").get();
        int n = m.analysis().nodeCount();
        var one = new io.edgeslice.protocol.Message.Route(m.hash(), 1, 4, List.of(new io.edgeslice.protocol.Message.Stage(0, n, "s", 10, "c", "")),
                io.edgeslice.protocol.Transport.NONE);
        var zero = new io.edgeslice.protocol.Message.Route(m.hash(), 0, 2, List.of(new io.edgeslice.protocol.Message.Stage(0, 40, "a", 10, "a", ""),
                new io.edgeslice.protocol.Message.Stage(40, n, "b", 10, "b", "")), io.edgeslice.protocol.Transport.NONE);
        vm.apply(List.of(), List.of(one, zero));
        assertThat(m.replicas()).isEqualTo(2);
        assertThat(m.route()).isEqualTo(zero);
        assertThat(m.routeCuts()).containsExactly(40);
    }
}
