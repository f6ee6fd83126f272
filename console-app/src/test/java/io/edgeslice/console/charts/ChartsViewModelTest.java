package io.edgeslice.console.charts;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.metrics;
import static io.edgeslice.console.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChartsViewModelTest {
    private final ChartsViewModel vm = new ChartsViewModel(new AgentColors(), new ConsoleSelection());

    @Test
    void everyAgentIsARuntimeWithCpuMemoryRequestsAndInflight() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of("a", List.of(metrics(1000, 10, 5), metrics(2000, 20, 9),
                metrics(4000, 30, 13))), 4000);
        ContainerSeries c = vm.find("a");
        assertThat(c.scope()).isEqualTo(ContainerSeries.Scope.AGENT);
        assertThat(c.cpu().size()).isEqualTo(3);
        assertThat(c.memoryUsed().last()).isEqualTo(GB);
        assertThat(c.memoryTotal()).isEqualTo(4 * GB);
        assertThat(c.inflight().size()).isEqualTo(3);
        // 4 tasks in 1 s, then 4 tasks in 2 s
        assertThat(c.requestsPerSecond().size()).isEqualTo(2);
        assertThat(c.requestsPerSecond().value(0)).isEqualTo(4.0);
        assertThat(c.requestsPerSecond().value(1)).isEqualTo(2.0);
        assertThat(vm.tickProperty().get()).isEqualTo(1);
    }

    @Test
    void aRestartedAgentNeverGivesANegativeRate() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of("a", List.of(metrics(1000, 10, 50), metrics(2000, 10, 2))), 2000);
        assertThat(vm.find("a").requestsPerSecond().last()).isZero();
    }

    @Test
    void anAgentWithoutHeartbeatHasNoPointsNotZeros() {
        vm.apply(List.of(row("a", "healthy", -1, 8 * GB)), Map.of("a", List.of(new io.edgeslice.broker.store.AgentMetrics(1000, -1, -1,
                8 * GB, -1, 0, List.of(), 0, 0))), 1000);
        assertThat(vm.find("a").cpu().size()).isZero();
        assertThat(vm.find("a").memoryUsed().size()).isZero();
    }

    @Test
    void latencyIsSummarisedPerSecondAsP50AndP95() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of(), 0);
        for (int i = 1; i <= 20; i++) {
            vm.recordLatency("a", 10_000 + i, i);
        }
        assertThat(vm.find("a").latencyP50().size()).isZero(); // the second is not over yet
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of(), 11_000);
        assertThat(vm.find("a").latencyP50().last()).isEqualTo(10.0);
        assertThat(vm.find("a").latencyP95().last()).isEqualTo(19.0);
    }

    @Test
    void seriesKeepTheirCapacityAndFindTheWindow() {
        MetricSeries s = new MetricSeries(4);
        for (int i = 0; i < 6; i++) {
            s.add(i * 1000L, i);
        }
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.value(0)).isEqualTo(2);
        assertThat(s.firstAtOrAfter(3500)).isEqualTo(2);
        assertThat(s.max(0)).isCloseTo(5, within(1e-9));
        assertThat(new MetricSeries(3).last()).isNaN();
    }
}
