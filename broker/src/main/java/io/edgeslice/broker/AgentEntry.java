package io.edgeslice.broker;

import io.edgeslice.broker.store.AgentRecord;
import io.edgeslice.broker.store.AgentState;
import io.edgeslice.protocol.Message;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The broker's working state for one agent; owned by the loop thread. */
final class AgentEntry {
    final AgentRecord record;
    /** Routing identity of the agent's DEALER; null while the agent has not registered with this broker. */
    byte[] identity;
    long lastSeenNanos;
    /** When the agent's TCP connection closed (0: never); it is lost unless heard from within the grace. */
    long disconnectedNanos;
    AgentState state = AgentState.HEALTHY;
    Message.Heartbeat latest;
    final Set<UUID> inflight = new LinkedHashSet<>();
    Set<String> cachedModels = Set.of();

    AgentEntry(AgentRecord record, byte[] identity, long now) {
        this.record = record;
        this.identity = identity;
        this.lastSeenNanos = now;
    }

    String name() {
        return record.name();
    }

    int slots() {
        return Math.max(1, record.slots());
    }

    boolean canTakeTask() {
        return state == AgentState.HEALTHY && identity != null && inflight.size() < slots();
    }

    boolean canReceive() {
        return state == AgentState.HEALTHY && identity != null;
    }

    /** Connected and not lost: a suspect agent (a dropped connection, a late heartbeat) is still worth sending to. */
    boolean reachable() {
        return state != AgentState.LOST && identity != null;
    }

    /** A model fits if it takes at most a third of the machine's memory (session plus arenas). */
    boolean fits(long modelSize) {
        return record.memoryBytes() <= 0 || modelSize * 3 <= record.memoryBytes();
    }

    double cpuPercent() {
        return latest == null ? 0 : latest.cpuPercent();
    }

    Message.AgentRow row(long now) {
        Message.Heartbeat h = latest;
        return new Message.AgentRow(name(), record.host(), record.arch(), record.cores(), state.lowerName(),
                h == null ? -1 : h.cpuPercent(), h == null ? -1 : h.memoryUsedBytes(), h == null ? record.memoryBytes() : h.memoryTotalBytes(),
                h == null ? -1 : h.loadAverage(), inflight.size(), (now - lastSeenNanos) / 1_000_000,
                List.copyOf(cachedModels), h == null ? 0 : h.tasksDone(), h == null ? 0 : h.tasksFailed(), record.dataEndpoint(),
                record.ortTarget());
    }
}
