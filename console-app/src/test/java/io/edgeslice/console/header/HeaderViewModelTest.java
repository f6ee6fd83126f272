package io.edgeslice.console.header;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.BrokerSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderViewModelTest {
    private final HeaderViewModel vm = new HeaderViewModel(List.of("tcp://*:5555", "tcp://127.0.0.1:5555"));

    private static BrokerSnapshot snap(long completed, long failed) {
        return new BrokerSnapshot("tcp://127.0.0.1:5555", "redis://127.0.0.1:6379", List.of(row("a", "healthy", 1, 8 * GB),
                row("b", "healthy", 1, 8 * GB), row("c", "suspect", 1, 8 * GB), row("d", "lost", 1, 8 * GB)), 3, 2, 0, completed, failed,
                0, 0, List.of(), List.of());
    }

    @Test
    void countsAgentsByStateAndShowsEndpointsAndStore() {
        vm.apply(snap(0, 0), 1000, null);
        assertThat(vm.healthyProperty().get()).isEqualTo(2);
        assertThat(vm.suspectProperty().get()).isEqualTo(1);
        assertThat(vm.lostProperty().get()).isEqualTo(1);
        assertThat(vm.queuedProperty().get()).isEqualTo(3);
        assertThat(vm.runningProperty().get()).isEqualTo(2);
        assertThat(vm.endpointsProperty().get()).isEqualTo("tcp://*:5555  tcp://127.0.0.1:5555");
        assertThat(vm.storeProperty().get()).isEqualTo("redis://127.0.0.1:6379");
    }

    @Test
    void tasksPerSecondComesFromFinishedTasksBetweenSnapshots() {
        vm.apply(snap(100, 0), 1000, null);
        assertThat(vm.tasksPerSecondProperty().get()).isEqualTo(-1); // unknown after one snapshot
        vm.apply(snap(140, 10), 3000, null);
        assertThat(vm.tasksPerSecondProperty().get()).isEqualTo(25.0);
        vm.apply(snap(140, 10), 6000, "cannot read metric history from the store: timeout");
        assertThat(vm.tasksPerSecondProperty().get()).isZero();
        assertThat(vm.problemProperty().get()).contains("timeout");
    }
}
