package io.edgeslice.broker.store;

/** An agent as the table holds it: description, last known state and latest metrics (may be null). */
public record StoredAgent(AgentRecord agent, AgentState state, AgentMetrics latest, long lastSeenMs) {
}
