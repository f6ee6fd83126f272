package io.edgeslice.console.plan;

import static io.edgeslice.console.Fixtures.GB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgeslice.client.AgentProfile;
import io.edgeslice.client.ClientException;
import io.edgeslice.client.LinkSpeed;
import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Fixtures;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cluster;
import io.edgeslice.slicer.Cut;
import io.edgeslice.planner.MeasuredPlanner;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.SlicerJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Auto-plan without a display: the broker stand-in answers measuring with profiles and links as
 * agents would send them; the shared planning ({@link MeasuredPlanner}, the slicer's planner and
 * transport rule) runs for real, everything inline.
 */
class PlanViewModelTest {
    private final ConsoleSelection selection = new ConsoleSelection();
    private final UiDispatcher ui = UiDispatcher.on(Runnable::run);
    private final Fixtures.FakeSource source = new Fixtures.FakeSource();
    private final List<Notice> notices = new ArrayList<>();
    private final ModelsViewModel models = new ModelsViewModel(source, ui, Runnable::run, notices::add, selection);
    private final AgentsViewModel agents = new AgentsViewModel(new AgentColors(), selection);
    private final PlanViewModel vm = new PlanViewModel(source, models, agents, ui, Runnable::run, notices::add);
    private ModelItem model;

    @BeforeEach
    void model() throws Exception {
        model = models.addModel(Fixtures.blazefaceFront(), "").get();
    }

    /** Four segments of {@code segmentMs} each, as agent {@code device} would profile them, at usable positions. */
    private static Profile profile(Analysis a, String device, double segmentMs) {
        int n = a.nodeCount();
        List<Integer> interior = a.candidates().stream().map(Cut::position).filter(p -> p > 0 && p < n).toList();
        List<Integer> positions = List.of(0, interior.get(interior.size() / 4), interior.get(interior.size() / 2),
                interior.get(3 * interior.size() / 4), n);
        List<Long> bytes = positions.stream().map(p -> a.cut(p).bytes()).toList();
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        a.inputShapes().forEach((k, v) -> shapes.put(k, java.util.Arrays.stream(v).boxed().toList()));
        return new Profile(Profile.FORMAT, a.model().fileName(), a.model().sha256(), a.order().lowerName(), n, shapes, device, 0,
                positions, bytes, List.of(segmentMs, segmentMs, segmentMs, segmentMs), 4 * segmentMs, 5);
    }

    /** What agents would send: a profile per agent (its segment time by name) and every link at {@code mbps}, 0.5 ms. */
    private MeasuredPlanner.Measurements measurements(List<Message.AgentRow> rows, Map<String, Double> segmentMs, double mbps) {
        Analysis a = model.analysis().analysis();
        List<AgentProfile> profiles = new ArrayList<>();
        for (Message.AgentRow r : rows) {
            try {
                profiles.add(new AgentProfile(r.name(), SlicerJson.mapper().writeValueAsString(profile(a, r.name(), segmentMs.get(r.name()))),
                        false));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        List<String> nodes = new ArrayList<>(List.of("client"));
        rows.forEach(r -> nodes.add(r.name()));
        List<LinkSpeed> links = new ArrayList<>();
        for (String from : nodes) {
            for (String to : nodes) {
                if (!from.equals(to)) {
                    links.add(new LinkSpeed(from, to, mbps, 0.5));
                }
            }
        }
        return new MeasuredPlanner.Measurements("client", profiles, links, MeasuredPlanner.hosts(rows));
    }

    private static Message.AgentRow agent(String name, String state) {
        return onHost(name, state, name + ".lan");
    }

    /** An agent on a machine of 4 cores that it may share with others. */
    private static Message.AgentRow onHost(String name, String state, String host) {
        return new Message.AgentRow(name, "host-" + name, "amd64", 4, state, 1, GB, 8 * GB, 0.5, 0, 300, List.of(), 0, 0,
                "tcp://" + host + ":7000", "");
    }

    @Test
    void theConsolesCostModelPredictsTheMeasuredPlanAsThePlannerDoes() {
        Analysis a = model.analysis().analysis();
        MeasuredPlanner.Result r = MeasuredPlanner.plan(measurements(List.of(agent("big", "healthy"), agent("small", "healthy")),
                Map.of("big", 2.5, "small", 10.0), 1000), a, Objective.LATENCY);
        PlanMath.Costed c = PlanMath.evaluate(r.cluster(), a, PlanViewModel.bounds(r.plan().cuts(), a.nodeCount()), r.plan().placement());
        assertThat(r.plan().placement()).containsExactly("big");
        assertThat(c.latencyMs()).isCloseTo(r.plan().latencyMs(), within(1e-6));
        assertThat(c.stages().get(0).computeMs()).isCloseTo(10.0, within(1e-9)); // big's own profile: 4 x 2.5 ms
    }

    @Test
    void aCutBetweenProfiledPositionsSharesItsSegmentByFlopsAndCrossesTheMeasuredLink() {
        Analysis a = model.analysis().analysis();
        MeasuredPlanner.Result r = MeasuredPlanner.plan(measurements(List.of(agent("x", "healthy"), agent("y", "healthy")),
                Map.of("x", 10.0, "y", 10.0), 100), a, Objective.LATENCY);
        Profile p = r.profiles().get("x");
        int lo = p.positions().get(1);
        int hi = p.positions().get(2);
        Integer mid = a.candidates().stream().map(Cut::position).filter(x -> x > lo && x < hi).findFirst().orElseThrow();
        double t = PlanMath.cumulativeMs(p, a, mid);
        assertThat(t).isGreaterThanOrEqualTo(10.0).isLessThanOrEqualTo(20.0);
        PlanMath.Costed two = PlanMath.evaluate(r.cluster(), a, List.of(0, mid, a.nodeCount()), List.of("x", "y"));
        assertThat(two.stages().get(0).computeMs() + two.stages().get(1).computeMs()).isCloseTo(40.0, within(1e-9));
        assertThat(two.stages().get(1).transferInMs()).isCloseTo(a.cut(mid).bytes() * 8.0 / (100 * 1000.0) + 0.5, within(1e-9));
    }

    @Test
    void aPlanOverWhatTheHealthyAgentsMeasuredIsShownBesideTheCurrentRouteAndOnlyApplyDeploysIt() {
        agents.apply(List.of(agent("big", "healthy"), agent("small", "healthy"), agent("gone", "lost")), Map.of(), h -> h);
        source.measurements = rows -> measurements(rows, Map.of("big", 2.5, "small", 10.0), 1000);
        vm.autoPlan();
        assertThat(source.measured).as("only the healthy agents measure").containsExactly(List.of("big", "small"));
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.PLANNED);
        PlanViewModel.Result r = vm.resultProperty().get();
        assertThat(r.plan().placement()).containsExactly("big");
        assertThat(r.transport()).as("1000 Mbit/s is above the LZ4 threshold").isEqualTo(Transport.NONE);
        assertThat(r.costed().latencyMs()).isCloseTo(r.plan().latencyMs(), within(1e-6));
        assertThat(vm.currentProperty().get().why()).isEqualTo("no route");
        assertThat(source.routeCommands).as("nothing is deployed before Apply").isEmpty();
        assertThat(vm.statusProperty().get()).contains("activations raw").contains("Press Apply");
        assertThat(PlanMath.links(r.planned())).contains("client→big 1000 Mbit/s 0.50 ms");
        assertThat(PlanMath.profiles(r.planned())).contains("big 10.0 ms").contains("small 40.0 ms");

        // a route on the small agent, cut in two: predicted on the same measured cluster, slower than the plan
        Analysis a = r.analysis();
        int n = a.nodeCount();
        int cut = r.planned().profiles().get("small").positions().get(2);
        models.apply(List.of(), List.of(new Message.Route(model.hash(), 3, List.of(new Message.Stage(0, cut, "s1", 1, "small", ""),
                new Message.Stage(cut, n, "s2", 1, "small", "")))));
        PlanMath.Costed current = vm.currentProperty().get().costed();
        assertThat(current.stages()).extracting(PlanMath.StageCost::agent).containsExactly("small", "small");
        assertThat(current.stages().get(1).transferInMs()).isZero(); // same agent: no hop
        assertThat(current.latencyMs()).isCloseTo(40.0 + 2 * 0.5 + (a.cut(0).bytes() + a.cut(n).bytes()) * 8.0 / (1000 * 1000.0), within(1e-6));
        assertThat(current.latencyMs()).isGreaterThan(r.costed().latencyMs());

        // a route on an agent that did not measure cannot be predicted, and says so
        models.apply(List.of(), List.of(new Message.Route(model.hash(), 4, List.of(new Message.Stage(0, n, "s", 1, "gone", "")))));
        assertThat(vm.currentProperty().get().why()).startsWith("agent gone was not measured");

        vm.apply();
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.APPLYING);
        assertThat(source.routeCommands).containsExactly(model.hash() + ":0-" + n + "@big");
        assertThat(source.routeTransports).containsExactly(Transport.NONE);
        source.routeResults.values().iterator().next().complete(new Message.Route(model.hash(), 5,
                List.of(new Message.Stage(0, n, "s", 1, "big", ""))));
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.APPLIED);
        assertThat(vm.statusProperty().get()).contains("[0–" + n + ") on big (epoch 5)");
    }

    @Test
    void forThroughputThePlanSpreadsTheModelOverAgentsThatForLatencyKeepsOnOne() {
        agents.apply(List.of(agent("a1", "healthy"), agent("a2", "healthy")), Map.of(), h -> h);
        source.measurements = rows -> measurements(rows, Map.of("a1", 10.0, "a2", 10.0), 1000);
        vm.autoPlan();
        assertThat(vm.resultProperty().get().plan().placement()).as("one agent: no hop").hasSize(1);
        assertThat(vm.statusProperty().get()).contains("(latency)").contains("predicted");

        vm.objectiveProperty().set(io.edgeslice.slicer.Objective.THROUGHPUT);
        vm.autoPlan();
        PlanViewModel.Result r = vm.resultProperty().get();
        assertThat(r.plan().placement()).as("both agents work side by side").containsExactlyInAnyOrder("a1", "a2");
        assertThat(r.planned().sharedPeriodMs()).as("on machines of their own").isEqualTo(r.plan().periodMs()).isLessThan(40.0);
        assertThat(vm.statusProperty().get()).contains("(throughput)").contains(String.format(java.util.Locale.ROOT, "a request every %.1f ms",
                r.plan().periodMs()));
    }

    @Test
    void agentsOnOneMachineShareItsCoresInAThroughputPlan() {
        // both agents on one 4-core machine, each run keeping all 4 cores busy (profiled at ONNX Runtime's default threads)
        agents.apply(List.of(onHost("a1", "healthy", "10.0.0.5"), onHost("a2", "healthy", "10.0.0.5")), Map.of(), h -> h);
        source.measurements = rows -> measurements(rows, Map.of("a1", 10.0, "a2", 10.0), 1000);
        vm.objectiveProperty().set(io.edgeslice.slicer.Objective.THROUGHPUT);
        vm.autoPlan();
        PlanViewModel.Result r = vm.resultProperty().get();
        assertThat(r.planned().sharedPeriodMs()).as("the machine does 40 ms of work per request, split or not").isCloseTo(40.0, within(1e-6));
        assertThat(r.plan().placement()).as("splitting gains nothing on one machine").hasSize(1);
        assertThat(vm.statusProperty().get()).contains("a request every 40.0 ms");
    }

    @Test
    void slowMeasuredLinksMakeTheRouteCompressItsActivationsWithLz4() {
        agents.apply(List.of(agent("a1", "healthy"), agent("a2", "healthy")), Map.of(), h -> h);
        source.measurements = rows -> measurements(rows, Map.of("a1", 10.0, "a2", 10.0), 50);
        vm.autoPlan();
        PlanViewModel.Result r = vm.resultProperty().get();
        assertThat(r.transport()).isEqualTo(Transport.LZ4);
        assertThat(r.planned().transportReason()).contains("50 Mbit/s");
        assertThat(PlanMath.assumptions(r.planned())).contains("travel lz4");
        vm.apply();
        assertThat(source.routeTransports).containsExactly(Transport.LZ4);
    }

    @Test
    void withoutAHealthyAgentOrAnAnalysisAutoPlanSaysWhyAndMeasuresNothing() {
        agents.apply(List.of(agent("gone", "lost")), Map.of(), h -> h);
        vm.autoPlan();
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.FAILED);
        assertThat(vm.statusProperty().get()).startsWith("No healthy agent to plan for");
        assertThat(notices).anySatisfy(x -> assertThat(x.title()).isEqualTo("Auto-plan failed"));
        assertThat(vm.resultProperty().get()).isNull();
        assertThat(source.measured).isEmpty();
    }

    @Test
    void anAgentThatCannotProfileFailsThePlanWithItsReasonAndNothingIsDeployed() {
        agents.apply(List.of(agent("a1", "healthy"), agent("a2", "healthy")), Map.of(), h -> h);
        source.measureFailure = new ClientException(ErrorCode.UNEXPECTED, "agent a2 cannot profile: out of memory");
        vm.autoPlan();
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.FAILED);
        assertThat(vm.statusProperty().get()).contains("agent a2 cannot profile: out of memory").endsWith("Nothing was deployed.");
        assertThat(notices).anySatisfy(x -> assertThat(x.message()).contains("agent a2 cannot profile"));
        assertThat(vm.resultProperty().get()).isNull();
        assertThat(source.routeCommands).isEmpty();
    }

    @Test
    void aFailedApplyKeepsThePlanAndShowsTheBrokersReason() {
        agents.apply(List.of(agent("big", "healthy")), Map.of(), h -> h);
        source.measurements = rows -> measurements(rows, Map.of("big", 2.5), 1000);
        vm.autoPlan();
        vm.apply();
        source.routeResults.values().iterator().next().completeExceptionally(
                new io.edgeslice.broker.DeployException("placement names agent big, which is lost"));
        assertThat(vm.stateProperty().get()).isEqualTo(PlanViewModel.State.FAILED);
        assertThat(vm.statusProperty().get()).endsWith("failed: placement names agent big, which is lost");
        assertThat(vm.resultProperty().get()).isNotNull();
        assertThat(notices).anySatisfy(x -> assertThat(x.title()).isEqualTo("Plan not applied"));
    }
}
