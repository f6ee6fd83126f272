package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
    /** Three segments of 10, 20 and 30 ms (60 ms whole) on the profiled machine; 1 MB in, 200 kB, 50 kB, 1 kB out. */
    static Profile profile(String device) {
        return new Profile(Profile.FORMAT, "m.onnx", "ab".repeat(32), "file", 30, Map.of("x", List.of(1L, 3L)), device, 0,
                List.of(0, 10, 20, 30), List.of(1_000_000L, 200_000L, 50_000L, 1_000L), List.of(10.0, 20.0, 30.0), 60, 5);
    }

    /** A slow device (10x slower than the profile) and a fast server (2x faster). */
    static Cluster twoTier(double mbps) {
        return new Cluster(List.of(new Cluster.Node("pi", 0.1, null), new Cluster.Node("server", 2, null)),
                List.of(new Cluster.Link("pi", "server", mbps, 5)), "pi", null);
    }

    @Test
    void withAFastLinkEverythingGoesToTheServer() {
        Plan p = Planner.plan(twoTier(80), profile("local"), Objective.LATENCY);
        // 1 MB at 80 Mbit/s = 100 ms + 5 ms, compute 5+10+15 = 30 ms, 1 kB back = 0.1 ms + 5 ms.
        assertThat(p.placement()).containsExactly("server");
        assertThat(p.cuts()).isEmpty();
        assertThat(p.predictedMs()).isCloseTo(140.1, offset(1e-9));
        assertThat(p.localOnlyMs()).isCloseTo(600, offset(1e-9));
        assertThat(p.fullOffloadMs()).isCloseTo(140.1, offset(1e-9));
        assertThat(p.fullOffloadNode()).isEqualTo("server");
    }

    @Test
    void withASlowLinkTheDeviceRunsTheFirstSegmentNeurosurgeonStyle() {
        Plan p = Planner.plan(twoTier(8), profile("local"), Objective.LATENCY);
        // pi 100 ms, 200 kB at 8 Mbit/s = 200 ms + 5, server 10 + 15 = 25 ms, result 1 + 5 ms.
        assertThat(p.cuts()).containsExactly(10);
        assertThat(p.placement()).containsExactly("pi", "server");
        assertThat(p.predictedMs()).isCloseTo(336, offset(1e-9));
        assertThat(p.stages()).extracting(Plan.Stage::computeMs).containsExactly(100.0, 25.0);
        assertThat(p.stages().get(1).transferInMs()).isCloseTo(205, offset(1e-9));
        assertThat(p.resultTransferMs()).isCloseTo(6, offset(1e-9));
        assertThat(p.fullOffloadMs()).isCloseTo(1041, offset(1e-9));
    }

    @Test
    void throughputMinimisesTheSlowestComputeOrTransferStep() {
        Plan p = Planner.plan(twoTier(8), profile("local"), Objective.THROUGHPUT);
        // Split at 10: steps 100, 205, 25, 6; at 20: 300, 55, 15, 6; local 600; offload 1005.
        assertThat(p.cuts()).containsExactly(10);
        assertThat(p.predictedMs()).isCloseTo(205, offset(1e-9));
        assertThat(p.periodMs()).isCloseTo(205, offset(1e-9));
        assertThat(p.latencyMs()).isCloseTo(336, offset(1e-9));
        assertThat(p.localOnlyMs()).isCloseTo(600, offset(1e-9));
        assertThat(p.fullOffloadMs()).isCloseTo(1005, offset(1e-9));
    }

    @Test
    void aSinkElsewhereAddsTheResultTransferEvenLocally() {
        Cluster c = new Cluster(twoTier(8).nodes(), twoTier(8).links(), "pi", "server");
        Plan p = Planner.plan(c, profile("local"), Objective.LATENCY);
        assertThat(p.localOnlyMs()).isCloseTo(600 + 6, offset(1e-9));
    }

    @Test
    void aNodeWithItsOwnProfileUsesItsMeasuredTimes() {
        Profile measured = new Profile(Profile.FORMAT, "m.onnx", "ab".repeat(32), "file", 30, Map.of("x", List.of(1L, 3L)), "server", 0,
                List.of(0, 10, 20, 30), List.of(1_000_000L, 200_000L, 50_000L, 1_000L), List.of(1.0, 1.0, 1.0), 3, 5);
        Cluster c = new Cluster(List.of(new Cluster.Node("pi", 0.1, null), new Cluster.Node("server", 1, measured)),
                List.of(new Cluster.Link("pi", "server", 80, 5)), "pi", null);
        assertThat(Planner.plan(c, profile("local"), Objective.LATENCY).predictedMs()).isCloseTo(105 + 3 + 5.1, offset(1e-9));
    }

    @Test
    void aPathPlanUsesEveryListedNodeInOrder() {
        Plan p = Planner.planPath(twoTier(80), profile("local"), List.of("pi", "server"), Objective.LATENCY);
        assertThat(p.placement()).containsExactly("pi", "server");
        // Best forced split: at 10 (100 + 25 + 25 + 5.1 = 155.1) beats at 20 (300 + 10 + 15 + 5.1).
        assertThat(p.cuts()).containsExactly(10);
        assertThat(p.predictedMs()).isCloseTo(155.1, offset(1e-9));
        assertThatThrownBy(() -> Planner.planPath(twoTier(80), profile("local"), List.of("pi", "gpu"), Objective.LATENCY))
                .isInstanceOf(SlicingException.class).hasMessageContaining("unknown node 'gpu'");
    }

    @Test
    void segmentTimesAreScaledToTheWholeModelsMeasuredTime() {
        // The segments were measured at 10+20+30 = 60 ms but the whole model at 30 ms: everything halves.
        Profile p = new Profile(Profile.FORMAT, "m.onnx", "ab".repeat(32), "file", 30, Map.of("x", List.of(1L, 3L)), "local", 0,
                List.of(0, 10, 20, 30), List.of(1_000_000L, 200_000L, 50_000L, 1_000L), List.of(10.0, 20.0, 30.0), 30, 5);
        Plan plan = Planner.plan(twoTier(8), p, Objective.LATENCY);
        // pi: 50, 100, 150 ms; server: 2.5, 5, 7.5 ms. Split at 20: 150 + (50 + 5) + 7.5 + 6 = 218.5 beats
        // split at 10: 50 + 205 + 12.5 + 6 = 273.5, local 300 and offload 1005 + 15 + 6.
        assertThat(plan.localOnlyMs()).isCloseTo(300, offset(1e-9));
        assertThat(plan.cuts()).containsExactly(20);
        assertThat(plan.stages().get(0).computeMs()).isCloseTo(150, offset(1e-9));
        assertThat(plan.predictedMs()).isCloseTo(218.5, offset(1e-9));

        // A whole-model time above the segments' sum is noise: no scaling up.
        Profile slowWhole = new Profile(Profile.FORMAT, "m.onnx", "ab".repeat(32), "file", 30, Map.of("x", List.of(1L, 3L)), "local", 0,
                List.of(0, 10, 20, 30), List.of(1_000_000L, 200_000L, 50_000L, 1_000L), List.of(10.0, 20.0, 30.0), 200, 5);
        assertThat(Planner.plan(twoTier(8), slowWhole, Objective.LATENCY).localOnlyMs()).isCloseTo(600, offset(1e-9));
    }

    @Test
    void rejectsProfilesOfAnotherModelOrPositions() {
        Profile other = new Profile(Profile.FORMAT, "m.onnx", "cd".repeat(32), "file", 30, Map.of("x", List.of(1L, 3L)), "server", 0,
                List.of(0, 10, 20, 30), List.of(1L, 1L, 1L, 1L), List.of(1.0, 1.0, 1.0), 3, 5);
        Cluster c = new Cluster(List.of(new Cluster.Node("pi", 0.1, null), new Cluster.Node("server", 1, other)),
                List.of(new Cluster.Link("pi", "server", 80, 5)), "pi", null);
        assertThatThrownBy(() -> Planner.plan(c, profile("local"), Objective.LATENCY)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("profile of node 'server'");
    }

    @Test
    void thePlanIsNeverWorseThanLocalOrFullOffloadOnTheExampleCluster() {
        Cluster c = Cluster.load(SampleModels.repoRoot().resolve("slicer/examples/nodes.yaml"));
        for (Objective o : Objective.values()) {
            Plan p = Planner.plan(c, profile("local"), o);
            assertThat(p.predictedMs()).isLessThanOrEqualTo(p.localOnlyMs()).isLessThanOrEqualTo(p.fullOffloadMs());
            assertThat(c.nodeNames()).containsAll(p.placement());
            assertThat(p.cuts()).hasSize(p.placement().size() - 1).isSorted();
        }
    }
}
