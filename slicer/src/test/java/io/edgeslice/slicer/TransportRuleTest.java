package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.protocol.Transport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransportRuleTest {
    @ParameterizedTest(name = "{0} Mbit/s -> {1}")
    @CsvSource({"1, LZ4", "20, LZ4", "100, LZ4", "199.9, LZ4", "200, NONE", "940, NONE", "10000, NONE", "80000, NONE"})
    void lz4OnlyBelowTheThreshold(double mbps, Transport expected) {
        assertThat(TransportRule.forBandwidth(mbps)).isEqualTo(expected);
    }

    /**
     * Two agents and the client; the plan sends the input to a1 and a1's output to a2. The slowest
     * of those two hops decides; the way back to the client (results travel raw) does not count.
     */
    @ParameterizedTest(name = "client->a1 {0}, a1->a2 {1}, a2->client {2}: {3}")
    @CsvSource({
            "1500, 1000, 5, NONE, a1, a2",
            "1000, 50, 1000, LZ4, a1, a2",
            "150, 1000, 1000, LZ4, client, a1",
            "300, 250, 10, NONE, a1, a2"})
    void theSlowestActivationHopOfTheRouteDecides(double clientToA1, double a1ToA2, double a2ToClient, Transport expected, String from, String to) {
        Profile p = PlannerTest.profile("x");
        Cluster cluster = MeasuredCluster.of("client", Map.of("a1", p, "a2", p), List.of(
                new Cluster.Link("client", "a1", clientToA1, 0.1), new Cluster.Link("a1", "a2", a1ToA2, 0.1),
                new Cluster.Link("a2", "client", a2ToClient, 0.1), new Cluster.Link("client", "a2", 1000, 0.1)));
        Plan plan = new Plan("latency", List.of(10), List.of("a1", "a2"), List.of(new Plan.Stage("a1", 0, 10, 1, 1),
                new Plan.Stage("a2", 10, 30, 1, 1)), 1, 1, 1, 1, 1, null, null);

        TransportRule.Choice c = TransportRule.choose(plan, cluster);

        assertThat(c.transport()).isEqualTo(expected);
        assertThat(c.slowest().from()).isEqualTo(from);
        assertThat(c.slowest().to()).isEqualTo(to);
        assertThat(c.reason()).contains(from + " -> " + to);
    }

    @ParameterizedTest(name = "{0} Mbit/s links")
    @CsvSource({"10", "10000"})
    void theClientNeverComputes(double mbps) {
        Profile p = PlannerTest.profile("x");
        Cluster cluster = MeasuredCluster.of("client", Map.of("a1", p), List.of(new Cluster.Link("client", "a1", mbps, 0.5)));

        Plan plan = Planner.plan(cluster, MeasuredCluster.base(Map.of("a1", p)), Objective.LATENCY);

        assertThat(plan.placement()).containsExactly("a1");
        assertThat(TransportRule.choose(plan, cluster).transport()).isEqualTo(TransportRule.forBandwidth(mbps));
    }
}
