package io.edgeslice.console.plan;

import static io.edgeslice.console.Fixtures.GB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Fixtures;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.protocol.Message;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cut;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.Planner;
import io.edgeslice.slicer.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auto-plan without a display: a synthetic profile stands in for measuring, everything runs inline. */
class PlanViewModelTest {
    private static final int LOCAL_CORES = 4;
    private final ConsoleSelection selection = new ConsoleSelection();
    private final UiDispatcher ui = UiDispatcher.on(Runnable::run);
    private final Fixtures.FakeSource source = new Fixtures.FakeSource();
    private final List<Notice> notices = new ArrayList<>();
    private final ModelsViewModel models = new ModelsViewModel(source, ui, Runnable::run, notices::add, selection);
    private final AgentsViewModel agents = new AgentsViewModel(new AgentColors(), selection);
    private final AtomicInteger profiled = new AtomicInteger();
    private final PlanViewModel vm = new PlanViewModel(source, models, agents, ui, Runnable::run, notices::add, (a, progress) -> {
        profiled.incrementAndGet();
        progress.progress("profiling segment", 1, 2);
        return profile(a);
    }, LOCAL_CORES);
    private ModelItem model;

    @BeforeEach
    void model() throws Exception {
        model = models.addModel(Fixtures.blazefaceFront(), "").get();
    }

    /** Four segments of 10 ms each on this machine, at usable positions. */
    private static Profile profile(Analysis a) {
        int n = a.nodeCount();
        List<Integer> interior = a.candidates().stream().map(Cut::position).filter(p -> p > 0 && p < n).toList();
        List<Integer> positions = List.of(0, interior.get(interior.size() / 4), interior.get(interior.size() / 2),
                interior.get(3 * interior.size() / 4), n);
        List<Long> bytes = positions.stream().map(p -> a.cut(p).bytes()).toList();
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        a.inputShapes().forEach((k, v) -> shapes.put(k, java.util.Arrays.stream(v).boxed().toList()));
        return new Profile(Profile.FORMAT, a.model().fileName(), a.model().sha256(), a.order().lowerName(), n, shapes, "test", 0,
                positions, bytes, List.of(10.0, 10.0, 10.0, 10.0), 40.0, 5);
    }

    private static Message.AgentRow agent(String name, int cores, String state) {
        return new Message.AgentRow(name, "host-" + name, "amd64", cores, state, 1, GB, 8 * GB, 0.5, 0, 300, List.of(), 0, 0,
                "tcp://127.0.0.1:7000");
    }

    @Test
    void speedsAreCoresOverThisMachinesCappedBothWays() {
        assertThat(PlanMath.speed(8, 4)).isEqualTo(2.0);
        assertThat(PlanMath.speed(64, 4)).isEqualTo(PlanMath.MAX_SPEED);
        assertThat(PlanMath.speed(1, 16)).isEqualTo(PlanMath.MIN_SPEED);
        assertThat(PlanMath.speed(0, 4)).isEqualTo(1.0);
        assertThat(PlanMath.clientName(List.of("client", "a"))).isEqualTo("client-2");
    }

    @Test
    void theConsolesCostModelPredictsThePlannersPlanAsThePlannerDoes() {
        Analysis a = model.analysis().analysis();
        Profile p = profile(a);
        List<PlanMath.AgentSpec> specs = List.of(new PlanMath.AgentSpec("big", 16, 8 * GB), new PlanMath.AgentSpec("small", 4, 8 * GB));
        Plan plan = Planner.plan(PlanMath.cluster(specs, LOCAL_CORES), p, Objective.LATENCY);
        PlanMath.Costed c = PlanMath.evaluate(p, a, PlanViewModel.bounds(plan.cuts(), a.nodeCount()), plan.placement(),
                Map.of("big", 4.0, "small", 1.0));
        assertThat(plan.placement()).containsExactly("big");
        assertThat(c.latencyMs()).isCloseTo(plan.latencyMs(), within(1e-6));
        assertThat(c.stages().get(0).computeMs()).isCloseTo(10.0, within(1e-9)); // 40 ms at 4x
    }

    @Test
    void aCutBetweenProfiledPositionsSharesItsSegmentByFlops() {
        Analysis a = model.analysis().analysis();
        Profile p = profile(a);
        int lo = p.positions().get(1);
        int hi = p.positions().get(2);
        Integer mid = a.candidates().stream().map(Cut::position).filter(x -> x > lo && x < hi).findFirst().orElseThrow();
        double t = PlanMath.cumulativeMs(p, a, mid);
        assertThat(t).isGreaterThanOrEqualTo(10.0).isLessThanOrEqualTo(20.0);
        PlanMath.Costed two = PlanMath.evaluate(p, a, List.of(0, mid, a.nodeCount()), List.of("x", "y"), Map.of("x", 1.0, "y", 1.0));
        assertThat(two.stages().get(0).computeMs() + two.stages().get(1).computeMs()).isCloseTo(40.0, within(1e-9));
        assertThat(two.stages().get(1).transferInMs()).isCloseTo(PlanMath.transferMs(a.cut(mid).bytes()), within(1e-9));
    }

    @Test
    void aPlanIsShownBesideNoRouteThenBesideTheCurrentRouteAndOnlyApplyDeploysIt() {
        agents.apply(List.of(agent("big", 16, "healthy"), agent("small", 4, "healthy"), agent("gone", 64, "lost")), Map.of(), h -> h);
        vm.autoPlan();
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.PLANNED);
        PlanViewModel.Result r = vm.resultProperty().get();
        assertThat(r.plan().placement()).containsExactly("big"); // the lost agent is not planned on
        assertThat(r.speeds()).containsOnlyKeys("big", "small");
        assertThat(r.costed().latencyMs()).isCloseTo(r.plan().latencyMs(), within(1e-6));
        assertThat(vm.currentProperty().get().why()).isEqualTo("no route");
        assertThat(source.routeCommands).as("nothing is deployed before Apply").isEmpty();
        assertThat(vm.statusProperty().get()).contains("Press Apply");

        // a route on the small agent, cut in two: predicted with the same model, slower than the plan
        int n = model.analysis().nodeCount();
        int cut = r.profile().positions().get(2);
        models.apply(List.of(), List.of(new Message.Route(model.hash(), 3, List.of(new Message.Stage(0, cut, "s1", 1, "small", ""),
                new Message.Stage(cut, n, "s2", 1, "small", "")))));
        PlanMath.Costed current = vm.currentProperty().get().costed();
        assertThat(current.stages()).extracting(PlanMath.StageCost::agent).containsExactly("small", "small");
        assertThat(current.stages().get(1).transferInMs()).isZero(); // same agent: no hop
        assertThat(current.latencyMs()).isCloseTo(40.0 + 2 * PlanMath.LINK_MS
                + (a(r).cut(0).bytes() + a(r).cut(n).bytes()) * 8.0 / (PlanMath.LINK_MBPS * 1000), within(1e-6));
        assertThat(current.latencyMs()).isGreaterThan(r.costed().latencyMs());

        vm.apply();
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.APPLYING);
        assertThat(source.routeCommands).containsExactly(model.hash() + ":0-" + n + "@big");
        source.routeResults.values().iterator().next().complete(new Message.Route(model.hash(), 4,
                List.of(new Message.Stage(0, n, "s", 1, "big", ""))));
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.APPLIED);
        assertThat(vm.statusProperty().get()).contains("[0–" + n + ") on big (epoch 4)");

        vm.autoPlan();
        assertThat(profiled).as("the profile of an analysis is measured once").hasValue(1);
    }

    @Test
    void withoutAHealthyAgentOrAnAnalysisAutoPlanSaysWhy() {
        agents.apply(List.of(agent("gone", 4, "lost")), Map.of(), h -> h);
        vm.autoPlan();
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.FAILED);
        assertThat(vm.statusProperty().get()).startsWith("No healthy agent to plan for");
        assertThat(vm.resultProperty().get()).isNull();
        assertThat(profiled).hasValue(0);
    }

    @Test
    void aFailedApplyKeepsThePlanAndShowsTheBrokersReason() {
        agents.apply(List.of(agent("big", 16, "healthy")), Map.of(), h -> h);
        vm.autoPlan();
        vm.apply();
        source.routeResults.values().iterator().next().completeExceptionally(
                new io.edgeslice.broker.DeployException("placement names agent big, which is lost"));
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.FAILED);
        assertThat(vm.statusProperty().get()).endsWith("failed: placement names agent big, which is lost");
        assertThat(vm.resultProperty().get()).isNotNull();
        assertThat(notices).anySatisfy(x -> assertThat(x.title()).isEqualTo("Plan not applied"));
    }

    private static Analysis a(PlanViewModel.Result r) {
        return r.analysis();
    }
}
