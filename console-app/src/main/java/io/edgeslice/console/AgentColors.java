package io.edgeslice.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A colour per agent, the same in the table, the DAG and the charts. Agents get colours in the
 * order the console first sees them, so a colour never moves to another agent while it runs.
 */
public final class AgentColors {
    /** Colour of anything not placed on an agent. */
    public static final String UNPLACED = "#6e7781";
    private static final List<String> PALETTE = List.of("#4c9aff", "#f5a623", "#36b37e", "#e05d9c", "#a77bf3", "#26c6da",
            "#ffd54f", "#ff7043", "#9ccc65", "#8d6e63", "#90a4ae", "#ec407a");
    private final Map<String, String> assigned = new HashMap<>();

    /** The agent's colour as a CSS hex string; assigns the next one on first use. FX thread only. */
    public String of(String agent) {
        return assigned.computeIfAbsent(agent, a -> PALETTE.get(assigned.size() % PALETTE.size()));
    }
}
