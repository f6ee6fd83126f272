package io.edgeslice.console.agents;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.DeployException;
import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.Fixtures;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.models.WholeModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentsViewModelTest {
    private final Fixtures.FakeSource source = new Fixtures.FakeSource();
    private final AgentsViewModel agents = new AgentsViewModel(new AgentColors(), new ConsoleSelection());
    private final List<Notice> notices = new ArrayList<>();
    private final DeploymentsViewModel vm = new DeploymentsViewModel(source, agents, UiDispatcher.on(Runnable::run), Runnable::run,
            notices::add, () -> 42_000);
    private final WholeModel small = new WholeModel("h-small", "small.onnx", 100_000_000);

    @BeforeEach
    void fleet() {
        agents.apply(List.of(row("ok", "healthy", 10, 8 * GB), row("gone", "lost", 10, 8 * GB), row("flaky", "suspect", 10, 8 * GB),
                row("tiny", "healthy", 10, 299_000_000), row("has", "healthy", 10, 8 * GB, "h-small")), Map.of(), h -> h);
    }

    @Test
    void aHealthyAgentWithRoomIsAValidTarget() {
        assertThat(vm.check(small, "ok")).isEqualTo(new DropCheck(true, "deploy small.onnx on ok"));
    }

    @Test
    void agentsThatAreNotHealthyAreBlocked() {
        assertThat(vm.check(small, "gone").ok()).isFalse();
        assertThat(vm.check(small, "gone").reason()).contains("gone is lost");
        assertThat(vm.check(small, "flaky").reason()).contains("flaky is suspect");
        assertThat(vm.check(small, "nobody").reason()).contains("no such agent");
    }

    @Test
    void aModelAboveAThirdOfTheAgentsMemoryIsBlockedAsTheBrokerWould() {
        DropCheck c = vm.check(small, "tiny");
        assertThat(c.ok()).isFalse();
        assertThat(c.reason()).contains("does not fit tiny").contains("third");
        assertThat(vm.check(new WholeModel("h2", "m", 99_000_000), "tiny").ok()).isTrue();
    }

    @Test
    void anAgentAlreadyHostingTheModelIsBlocked() {
        assertThat(vm.check(small, "has").reason()).isEqualTo("has already hosts small.onnx");
    }

    @Test
    void aDeploymentIsPendingUntilTheBrokerConfirmsIt() {
        assertThat(vm.deploy(small, "ok").ok()).isTrue();
        assertThat(source.deploys).containsExactly("h-small@ok");
        DeploymentItem d = vm.deployments().get(0);
        assertThat(d.state()).isEqualTo(DeploymentItem.State.PENDING);
        assertThat(vm.pendingOn("ok")).isSameAs(d);
        assertThat(vm.check(small, "ok").reason()).contains("already being deployed");

        source.deployResults.get("h-small@ok").complete(null);
        assertThat(d.state()).isEqualTo(DeploymentItem.State.DONE);
        assertThat(vm.pendingOn("ok")).isNull();
        assertThat(notices).isEmpty();
    }

    @Test
    void aFailedDeploymentShowsTheBrokersReason() {
        vm.deploy(small, "ok");
        source.deployResults.get("h-small@ok").completeExceptionally(new DeployException("model of 100.0 MB does not fit agent ok"));
        DeploymentItem d = vm.deployments().get(0);
        assertThat(d.state()).isEqualTo(DeploymentItem.State.FAILED);
        assertThat(d.messageProperty().get()).contains("failed: model of 100.0 MB does not fit agent ok");
        assertThat(notices).singleElement().satisfies(n -> assertThat(n.message()).contains("does not fit"));
    }

    @Test
    void aBlockedDropSendsNothingAndSaysWhy() {
        assertThat(vm.deploy(small, "gone").ok()).isFalse();
        assertThat(source.deploys).isEmpty();
        assertThat(vm.deployments()).isEmpty();
        assertThat(notices).singleElement().satisfies(n -> assertThat(n.message()).contains("gone is lost"));
    }
}
