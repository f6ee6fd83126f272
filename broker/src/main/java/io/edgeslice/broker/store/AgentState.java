package io.edgeslice.broker.store;

/** Liveness of an agent as the broker judges it from heartbeats. */
public enum AgentState {
    HEALTHY, SUSPECT, LOST;

    public String lowerName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
