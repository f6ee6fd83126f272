package io.edgeslice.console.agents;

/** An agent's liveness as the broker reports it; lost agents sort first. */
public enum AgentStatus {
    LOST, SUSPECT, HEALTHY;

    /** The broker's state string (healthy, suspect, lost); anything else counts as suspect. */
    public static AgentStatus of(String state) {
        return switch (state) {
            case "healthy" -> HEALTHY;
            case "lost" -> LOST;
            default -> SUSPECT;
        };
    }

    public String lowerName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
