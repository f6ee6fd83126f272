package io.edgeslice.console.events;

import static io.edgeslice.console.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.BrokerEvent.Kind;
import io.edgeslice.broker.BrokerEvent.Severity;
import io.edgeslice.console.Notice;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventsViewModelTest {
    private final EventsViewModel vm = new EventsViewModel(() -> 5_000);

    @Test
    void eachBrokerEventIsShownOnceNewestFirst() {
        vm.apply(List.of(event(1, Severity.INFO, Kind.AGENT_JOINED, "a"), event(2, Severity.WARNING, Kind.AGENT_SUSPECT, "a")));
        vm.apply(List.of(event(2, Severity.WARNING, Kind.AGENT_SUSPECT, "a"), event(3, Severity.ERROR, Kind.AGENT_LOST, "a")));
        assertThat(vm.events()).extracting(EventItem::seq).containsExactly(3L, 2L, 1L);
        assertThat(vm.events().get(0).kind()).isEqualTo("AGENT_LOST");
        assertThat(vm.problemsProperty().get()).isEqualTo(2);
    }

    @Test
    void theMinimumSeverityFilters() {
        vm.apply(List.of(event(1, Severity.INFO, Kind.AGENT_JOINED, "a"), event(2, Severity.ERROR, Kind.DEPLOY_FAILED, "a")));
        vm.minimumProperty().set(Severity.WARNING);
        assertThat(vm.events()).extracting(EventItem::seq).containsExactly(2L);
        assertThat(vm.all()).hasSize(2);
    }

    @Test
    void theConsolesOwnNoticesAreKeptToo() {
        vm.add(new Notice(Severity.ERROR, "Model refused", "notes.txt is not an ONNX model"));
        assertThat(vm.events()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("CONSOLE");
            assertThat(e.message()).contains("not an ONNX model");
            assertThat(e.seq()).isNegative();
            assertThat(e.timeMs()).isEqualTo(5_000);
        });
    }

    @Test
    void onlyTheNewestThousandAreKept() {
        for (long i = 1; i <= EventsViewModel.KEPT + 20; i++) {
            vm.apply(List.of(event(i, Severity.INFO, Kind.AGENT_JOINED, "a" + i)));
        }
        assertThat(vm.all()).hasSize(EventsViewModel.KEPT);
        assertThat(vm.all().get(0).seq()).isEqualTo(EventsViewModel.KEPT + 20L);
    }
}
