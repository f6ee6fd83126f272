package io.edgeslice.console.dag;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Fixtures;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Layouts run inline here, so every change is laid out before the next line. */
class DagViewModelTest {
    private final ConsoleSelection selection = new ConsoleSelection();
    private final AgentColors colors = new AgentColors();
    private final UiDispatcher ui = UiDispatcher.on(Runnable::run);
    private final ModelsViewModel models = new ModelsViewModel(new Fixtures.FakeSource(), ui, Runnable::run, n -> { }, selection);
    private final AgentsViewModel agents = new AgentsViewModel(colors, selection);
    private final DagViewModel vm = new DagViewModel(models, agents, colors, ui, Runnable::run);
    private ModelItem model;
    private List<Message.AgentRow> rows;

    @BeforeEach
    void modelAndAgents() throws Exception {
        model = models.addModel(Fixtures.blazefaceFront(), "").get();
        rows = List.of(row("a", "healthy", 1, 8 * GB), row("b", "healthy", 1, 8 * GB));
        agents.apply(rows, Map.of(), h -> h);
    }

    private void apply(List<Message.AgentRow> r, List<Message.Route> routes) {
        agents.apply(r, Map.of(), h -> h);
        models.apply(r, routes);
        vm.refreshPlacements();
    }

    @Test
    void anUndeployedModelIsOneGreySlice() {
        assertThat(vm.sceneProperty().get().dag().slices()).hasSize(1);
        assertThat(vm.placementsProperty().get()).singleElement().satisfies(p -> {
            assertThat(p.agents()).isEmpty();
            assertThat(p.color()).isEqualTo(AgentColors.UNPLACED);
        });
    }

    @Test
    void aWholeModelDeployedOnAnAgentTakesItsColourInEverySlice() {
        models.splitEvenly(model, 3);
        apply(List.of(row("a", "healthy", 1, 8 * GB), row("b", "healthy", 1, 8 * GB, model.hash())), List.of());
        assertThat(vm.placementsProperty().get()).hasSize(3).allSatisfy(p -> {
            assertThat(p.agents()).containsExactly("b");
            assertThat(p.color()).isEqualTo(colors.of("b"));
            assertThat(p.routed()).isFalse();
        });
    }

    @Test
    void aRouteCutsTheModelAndColoursEachSliceByItsAgent() {
        int n = model.analysis().nodeCount();
        int cut = model.analysis().candidates().get(model.analysis().candidates().size() / 2).position();
        Message.Route route = new Message.Route(model.hash(), 4, List.of(new Message.Stage(0, cut, "s0", 10, "a", ""),
                new Message.Stage(cut, n, "s1", 10, "b", "")));
        apply(rows, List.of(route));
        assertThat(vm.sceneProperty().get().cuts()).containsExactly(cut);
        assertThat(vm.sceneProperty().get().routeEpoch()).isEqualTo(4);
        assertThat(vm.placementsProperty().get()).extracting(DagViewModel.Placement::color).containsExactly(colors.of("a"), colors.of("b"));
        assertThat(vm.statusProperty().get()).contains("of its route (epoch 4)");

        apply(List.of(row("a", "healthy", 1, 8 * GB), row("b", "lost", 1, 8 * GB)), List.of(route));
        assertThat(vm.placementsProperty().get()).extracting(DagViewModel.Placement::lost).containsExactly(false, true);

        vm.selectSlice(1);
        assertThat(selection.agentProperty().get()).isEqualTo("b");
    }

    @Test
    void aRouteCutForOtherShapesIsNotDrawnOnThisAnalysis() {
        int n = model.analysis().nodeCount();
        Message.Route other = new Message.Route(model.hash(), 1, List.of(new Message.Stage(0, n + 7, "s0", 10, "a", "")));
        apply(rows, List.of(other));
        assertThat(model.routeCuts()).isNull();
        assertThat(vm.sceneProperty().get().routeEpoch()).isEqualTo(-1);
        assertThat(vm.placementsProperty().get()).allSatisfy(p -> assertThat(p.routed()).isFalse());
    }

    @Test
    void aRouteOfTheOptimisedGraphIsNotDrawnOnTheModelsOwnGraphAndItsSlicesCannotBeDragged() {
        int n = model.analysis().nodeCount();
        int cut = model.analysis().candidates().get(model.analysis().candidates().size() / 2).position();
        // positions that happen to fit this graph, but count the nodes of ONNX Runtime's optimised one
        Message.Route optimized = new Message.Route(model.hash(), 0, 3, List.of(new Message.Stage(0, cut, "s0", 10, "a", ""),
                new Message.Stage(cut, n, "s1", 10, "b", "")), Transport.NONE, "onnxruntime-1.23.2 amd64 avx+avx2+fma");
        apply(rows, List.of(optimized));
        assertThat(model.routeCuts()).isNull();
        assertThat(vm.sceneProperty().get().routeEpoch()).isEqualTo(-1);
        assertThat(vm.dragRefusal()).contains("optimised").contains("--graph portable");
    }

    @Test
    void blocksExpandAndCollapse() {
        SliceDag.Unit block = vm.sceneProperty().get().dag().units().stream().filter(u -> u.kind() == SliceDag.Kind.BLOCK).findFirst()
                .orElseThrow();
        int before = vm.sceneProperty().get().dag().units().size();
        vm.toggle(block.id());
        assertThat(vm.sceneProperty().get().dag().units()).hasSize(before - 1 + block.nodeCount());
        vm.toggle("n:" + block.start());
        assertThat(vm.sceneProperty().get().dag().units()).hasSize(before);
    }
}
