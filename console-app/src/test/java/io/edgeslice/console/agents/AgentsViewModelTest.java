package io.edgeslice.console.agents;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.metrics;
import static io.edgeslice.console.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Format;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AgentsViewModelTest {
    private final AgentsViewModel vm = new AgentsViewModel(new AgentColors(), new ConsoleSelection());
    private final Function<String, String> label = h -> "model-" + h;

    private List<String> names() {
        return vm.rows().stream().map(AgentItem::name).toList();
    }

    @Test
    void lostAgentsComeFirstThenSuspectThenHealthyByName() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB), row("b", "lost", 10, 8 * GB), row("c", "suspect", 10, 8 * GB),
                row("d", "lost", 10, 8 * GB)), Map.of(), label);
        assertThat(names()).containsExactly("b", "d", "c", "a");

        vm.apply(List.of(row("a", "lost", 10, 8 * GB), row("b", "healthy", 10, 8 * GB), row("c", "suspect", 10, 8 * GB),
                row("d", "lost", 10, 8 * GB)), Map.of(), label);
        assertThat(names()).containsExactly("a", "d", "c", "b");
    }

    @Test
    void rowsAreUpdatedInPlaceSoSelectionAndListenersSurvive() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of(), label);
        AgentItem first = vm.find("a");
        vm.apply(List.of(row("a", "healthy", 55, 8 * GB)), Map.of(), label);
        assertThat(vm.find("a")).isSameAs(first);
        assertThat(first.row().cpuPercent()).isEqualTo(55);
    }

    @Test
    void aRowWithoutHeartbeatShowsNoDataNotZero() {
        vm.apply(List.of(row("a", "healthy", -1, 8 * GB)), Map.of(), label);
        var r = vm.find("a").row();
        assertThat(Format.percent(r.cpuPercent())).isEqualTo(Format.NONE);
        assertThat(Format.load(r.loadAverage())).isEqualTo(Format.NONE);
        assertThat(Format.memory(r.memoryUsedBytes(), r.memoryTotalBytes())).startsWith(Format.NONE + " / ");
        assertThat(Format.percent(0)).isEqualTo("0 %");
    }

    @Test
    void notHealthyAgentsAreStale() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB), row("b", "suspect", 10, 8 * GB), row("c", "lost", 10, 8 * GB)), Map.of(), label);
        assertThat(vm.find("a").stale()).isFalse();
        assertThat(vm.find("b").stale()).isTrue();
        assertThat(vm.find("c").stale()).isTrue();
    }

    @Test
    void filtersByStateNameAndHostedModel() {
        vm.apply(List.of(row("pi-kitchen", "healthy", 10, 8 * GB, "h1"), row("pi-garage", "lost", 10, 8 * GB),
                row("edge-1", "suspect", 10, 8 * GB, "h1", "h2")), Map.of(), label);
        vm.stateFilterProperty().set(AgentsViewModel.StateFilter.NOT_HEALTHY);
        assertThat(names()).containsExactly("pi-garage", "edge-1");
        vm.stateFilterProperty().set(AgentsViewModel.StateFilter.ALL);
        vm.nameFilterProperty().set("PI-");
        assertThat(names()).containsExactly("pi-garage", "pi-kitchen");
        vm.nameFilterProperty().set("");
        vm.modelFilterProperty().set("h1");
        assertThat(names()).containsExactly("edge-1", "pi-kitchen");
        assertThat(vm.allRows()).hasSize(3);
    }

    @Test
    void hostedModelsAreNamedByTheConsole() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB, "h2", "h1")), Map.of(), label);
        assertThat(vm.find("a").modelLabelsProperty().get()).containsExactly("model-h1", "model-h2");
    }

    @Test
    void cpuTrendKeepsTheLastMinuteOfSamples() {
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of("a", List.of(metrics(1000, 5, 0), metrics(2000, 7, 0))), label);
        assertThat(vm.find("a").cpuTrendProperty().get()).containsExactly(5, 7);
        List<io.edgeslice.broker.store.AgentMetrics> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(metrics(3000 + i * 1000L, i, 0));
        }
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB)), Map.of("a", many), label);
        double[] trend = vm.find("a").cpuTrendProperty().get();
        assertThat(trend).hasSize(AgentItem.TREND_POINTS);
        assertThat(trend[trend.length - 1]).isEqualTo(99);
        assertThat(trend[0]).isEqualTo(100 - AgentItem.TREND_POINTS);
    }

    @Test
    void aColumnOrderAppliesAfterTheStateOrderAndFollowsLiveValues() {
        vm.columnOrderProperty().set(java.util.Comparator.comparingDouble(i -> -i.row().cpuPercent()));
        vm.apply(List.of(row("a", "healthy", 10, 8 * GB), row("b", "healthy", 90, 8 * GB), row("c", "lost", 1, 8 * GB)), Map.of(), label);
        assertThat(names()).containsExactly("c", "b", "a");
        vm.apply(List.of(row("a", "healthy", 95, 8 * GB), row("b", "healthy", 5, 8 * GB), row("c", "lost", 1, 8 * GB)), Map.of(), label);
        assertThat(names()).containsExactly("c", "a", "b");
    }
}
