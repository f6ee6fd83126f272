package io.edgeslice.console;

import static io.edgeslice.console.Fixtures.GB;
import static io.edgeslice.console.Fixtures.event;
import static io.edgeslice.console.Fixtures.metrics;
import static io.edgeslice.console.Fixtures.row;
import static io.edgeslice.console.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.BrokerEvent.Kind;
import io.edgeslice.broker.BrokerEvent.Severity;
import io.edgeslice.broker.store.AgentMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class SnapshotPollerTest {
    private final Fixtures.FakeSource source = new Fixtures.FakeSource();
    private final ConcurrentLinkedQueue<Runnable> fxQueue = new ConcurrentLinkedQueue<>();
    private final List<ConsoleUpdate> applied = new ArrayList<>();
    private final SnapshotPoller poller = new SnapshotPoller(source, UiDispatcher.on(fxQueue::add), applied::add);

    private void runFx() {
        for (Runnable r; (r = fxQueue.poll()) != null; ) {
            r.run();
        }
    }

    @Test
    void theFirstPollReadsTheWholeWindowThenOnlyNewSamples() {
        long now = System.currentTimeMillis();
        source.history.put("a", new ArrayList<>(List.of(metrics(now - 2000, 10, 0), metrics(now - 1000, 20, 1))));
        source.snapshot = snapshot(List.of(row("a", "healthy", 20, 8 * GB)), List.of());
        poller.poll();
        runFx();
        assertThat(source.historyCalls).containsExactly("a:" + SnapshotPoller.HISTORY_CAPACITY);
        assertThat(applied.get(0).newSamples().get("a")).extracting(AgentMetrics::cpuPercent).containsExactly(10.0, 20.0);

        source.history.get("a").add(metrics(now, 30, 2));
        poller.poll();
        runFx();
        assertThat(applied.get(1).newSamples().get("a")).extracting(AgentMetrics::cpuPercent).containsExactly(30.0);
        assertThat(Integer.parseInt(source.historyCalls.get(1).split(":")[1])).isBetween(3, 10);

        poller.poll();
        runFx();
        assertThat(applied.get(2).newSamples()).isEmpty();
    }

    @Test
    void eachEventIsHandedOnOnce() {
        source.snapshot = snapshot(List.of(), List.of(event(1, Severity.INFO, Kind.AGENT_JOINED, "a")));
        poller.poll();
        runFx();
        source.snapshot = snapshot(List.of(), List.of(event(1, Severity.INFO, Kind.AGENT_JOINED, "a"),
                event(2, Severity.ERROR, Kind.AGENT_LOST, "a")));
        poller.poll();
        runFx();
        assertThat(applied.get(0).newEvents()).extracting(e -> e.seq()).containsExactly(1L);
        assertThat(applied.get(1).newEvents()).extracting(e -> e.seq()).containsExactly(2L);
    }

    @Test
    void noNewPollIsTakenWhileTheUiHasNotAppliedTheLastOne() {
        source.snapshot = snapshot(List.of(row("a", "healthy", 20, 8 * GB)), List.of());
        poller.poll();
        assertThat(fxQueue).hasSize(1);
        // what the scheduled tick does: skip while an update is in flight
        poller.setInterval(Duration.ofMillis(1));
        assertThat(poller.interval()).isEqualTo(SnapshotPoller.MIN_INTERVAL);
        runFx();
        assertThat(applied).hasSize(1);
    }

    @Test
    void aStoreThatFailsIsReportedNotHidden() {
        source.snapshot = snapshot(List.of(row("a", "healthy", 20, 8 * GB)), List.of());
        source.historyFailure = new IllegalStateException("redis://127.0.0.1:6379 refused the connection");
        poller.poll();
        runFx();
        assertThat(applied.get(0).problem()).contains("cannot read metric history").contains("refused the connection");
        assertThat(applied.get(0).snapshot().agents()).hasSize(1);
    }

    @Test
    void theSnapshotsRoutesReachTheViewModelsWithEveryPoll() {
        io.edgeslice.protocol.Message.Route r = new io.edgeslice.protocol.Message.Route("m", 1,
                List.of(new io.edgeslice.protocol.Message.Stage(0, 5, "s", 1, "a", "")));
        source.snapshot = new io.edgeslice.broker.BrokerSnapshot("tcp://127.0.0.1:5555", "memory", List.of(), 0, 0, 0, 0, 0, 0, 0,
                List.of(), List.of(r));
        poller.poll();
        runFx();
        assertThat(applied.get(0).snapshot().routes()).containsExactly(r);
        source.snapshot = snapshot(List.of(), List.of());
        poller.poll();
        runFx();
        assertThat(applied.get(1).snapshot().routes()).isEmpty(); // a removed route is gone on the next poll
    }

    @Test
    void lostAgentsAreNotAskedForHistoryAgain() {
        long now = System.currentTimeMillis();
        source.history.put("a", List.of(metrics(now - 1000, 20, 1)));
        source.snapshot = snapshot(List.of(row("a", "healthy", 20, 8 * GB)), List.of());
        poller.poll();
        runFx();
        source.snapshot = snapshot(List.of(row("a", "lost", 20, 8 * GB)), List.of());
        poller.poll();
        runFx();
        assertThat(source.historyCalls).hasSize(1);
    }
}
