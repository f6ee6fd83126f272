package io.edgeslice.console.dag;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Fixtures;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.agents.DeploymentItem;
import io.edgeslice.console.agents.DeploymentsViewModel;
import io.edgeslice.console.agents.DropCheck;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelSlice;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A slice of the DAG dropped on an agent: the valid/blocked rules and the broker command it becomes. No display. */
class SliceDropTest {
    private final ConsoleSelection selection = new ConsoleSelection();
    private final AgentColors colors = new AgentColors();
    private final UiDispatcher ui = UiDispatcher.on(Runnable::run);
    private final Fixtures.FakeSource source = new Fixtures.FakeSource();
    private final List<Notice> notices = new ArrayList<>();
    private final ModelsViewModel models = new ModelsViewModel(source, ui, Runnable::run, notices::add, selection);
    private final AgentsViewModel agents = new AgentsViewModel(colors, selection);
    private final DagViewModel dag = new DagViewModel(models, agents, colors, ui, Runnable::run);
    private final DeploymentsViewModel deployments = new DeploymentsViewModel(source, agents, ui, Runnable::run, notices::add, () -> 1_000);
    private ModelItem model;
    private List<Message.AgentRow> rows;

    @BeforeEach
    void modelInTwoSlices() throws Exception {
        model = models.addModel(Fixtures.blazefaceFront(), "").get();
        models.splitEvenly(model, 2);
        rows = List.of(row("a", "healthy", 1, 8 * GB), row("b", "healthy", 1, 8 * GB), row("gone", "lost", 1, 8 * GB),
                row("tiny", "healthy", 1, 30_000));
        agents.apply(rows, Map.of(), h -> h);
        models.apply(rows, List.of());
        assertThat(dag.sceneProperty().get().dag().slices()).hasSize(2);
    }

    private int cut() {
        return model.cuts().get(0);
    }

    private Message.Route route(String first, String second) {
        return new Message.Route(model.hash(), 7, List.of(new Message.Stage(0, cut(), "s1", 40_000, first, ""),
                new Message.Stage(cut(), model.analysis().nodeCount(), "s2", 50_000, second, "")));
    }

    @Test
    void aSliceOfAModelWithoutARouteCarriesTheCutsAndAnEstimatedSize() {
        ModelSlice s = dag.slice(dag.startDrag(1));
        assertThat(s.routed()).isFalse();
        assertThat(s.index()).isEqualTo(1);
        assertThat(s.start()).isEqualTo(cut());
        assertThat(s.end()).isEqualTo(model.analysis().nodeCount());
        assertThat(s.cuts()).containsExactly(cut());
        assertThat(s.sizeBytes()).isPositive().isLessThan(model.sizeBytes());
        assertThat(dag.slice("slice:" + model.hash() + ":0-1")).as("no slice of the scene starts and ends there").isNull();
        assertThat(dag.slice("slice:someothermodel:0-" + cut())).isNull();
    }

    @Test
    void validAndBlockedTargetsForASlice() {
        ModelSlice s = dag.slice(dag.startDrag(1));
        DropCheck ok = deployments.check(s, "b");
        assertThat(ok.ok()).isTrue();
        assertThat(ok.reason()).isEqualTo("deploy " + model.fileName() + " as a route of 2 slices, slice 2 [" + cut() + "–"
                + model.analysis().nodeCount() + ") on b, the others placed by the broker");
        assertThat(deployments.check(s, "gone").reason()).isEqualTo("gone is lost; only a healthy agent can receive a slice");
        assertThat(deployments.check(s, "tiny").reason()).contains("does not fit tiny").contains("at most a third").contains("≈");
        assertThat(deployments.check(s, "nobody").reason()).isEqualTo("no such agent");

        models.apply(rows, List.of(route("a", "b")));
        ModelSlice routed = dag.slice(dag.startDrag(1));
        assertThat(routed.routed()).isTrue();
        assertThat(routed.sizeBytes()).isEqualTo(50_000);
        assertThat(deployments.check(routed, "b").reason()).isEqualTo("b already runs " + routed.label());
        assertThat(deployments.check(routed, "a")).isEqualTo(new DropCheck(true, "move " + routed.label() + " to a (a new route epoch)"));
        // 50 kB fits no agent with less than 150 kB of memory
        assertThat(deployments.check(routed, "tiny").reason()).contains("(50 KB)").doesNotContain("≈");
    }

    @Test
    void droppingASliceOfARoutedModelMovesItAndOneRouteChangeRunsAtATime() {
        models.apply(rows, List.of(route("a", "b")));
        ModelSlice first = dag.slice(dag.startDrag(0));
        assertThat(deployments.deploy(first, "b").ok()).isTrue();
        assertThat(source.routeCommands).containsExactly(model.hash() + ":0@b");
        DeploymentItem d = deployments.deployments().get(0);
        assertThat(d.state()).isEqualTo(DeploymentItem.State.PENDING);

        ModelSlice second = dag.slice(dag.startDrag(1));
        DropCheck busy = deployments.check(second, "a");
        assertThat(busy.ok()).isFalse();
        assertThat(busy.reason()).startsWith("the route of " + model.fileName() + " is being changed already");

        source.routeResults.get(model.hash() + ":0@b").complete(route("b", "b"));
        assertThat(d.state()).isEqualTo(DeploymentItem.State.DONE);
        assertThat(d.messageProperty().get()).contains("route [0–" + cut() + ") on b").contains("(epoch 7)");
        assertThat(deployments.check(second, "a").ok()).isTrue();
    }

    @Test
    void droppingASliceOfAModelWithoutARouteCutsImportsAndDeploysTheRouteWithOnlyThatSlicePlaced() {
        ModelSlice s = dag.slice(dag.startDrag(1));
        deployments.deploy(s, "b");
        int n = model.analysis().nodeCount();
        assertThat(source.imported).hasSize(3); // the model when added, then its two slices
        assertThat(source.routeCommands).containsExactly(model.hash() + ":0-" + cut() + "@," + cut() + "-" + n + "@b");
        DeploymentItem d = deployments.deployments().get(0);
        assertThat(d.messageProperty().get()).endsWith("placing 2 slices on agents…");

        source.routeResults.values().iterator().next().completeExceptionally(
                new io.edgeslice.broker.DeployException("no healthy agent can take slice 0-" + cut()));
        assertThat(d.state()).isEqualTo(DeploymentItem.State.FAILED);
        assertThat(d.messageProperty().get()).endsWith("failed: no healthy agent can take slice 0-" + cut());
        assertThat(notices).anySatisfy(x -> assertThat(x.message()).contains("no healthy agent can take slice"));
    }

    @Test
    void aRouteCutForOtherShapesRefusesTheDragWithTheReason() {
        models.apply(rows, List.of(new Message.Route(model.hash(), 1, List.of(new Message.Stage(0, 3, "s1", 1, "a", "")))));
        assertThat(dag.startDrag(0)).isNull();
        assertThat(dag.statusProperty().get()).startsWith("Cannot drag a slice: the route of " + model.fileName() + " was cut for other input shapes");
    }
}
