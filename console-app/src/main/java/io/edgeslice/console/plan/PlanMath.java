package io.edgeslice.console.plan;

import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cluster;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.SlicingException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's planning assumptions and its cost model, the planner's own: a stage's compute is
 * its share of the profile measured on this machine divided by the agent's speed, and every hop
 * between two machines costs bytes / bandwidth + latency. Requests come from a client on this
 * machine and results go back to it, over the same assumed link. No JavaFX; any thread.
 */
public final class PlanMath {
    /** Links are not measured: loopback or a LAN is assumed. */
    public static final double LINK_MBPS = 1000;
    public static final double LINK_MS = 0.5;
    /** An agent's speed is its core count over this machine's, within these bounds. */
    public static final double MIN_SPEED = 0.25;
    public static final double MAX_SPEED = 4;
    /** The planner handles at most 12 devices; one of them is the client. */
    public static final int MAX_AGENTS = 11;
    /** The client only sends inputs and receives results: slow enough that no slice is ever planned on it. */
    static final double CLIENT_SPEED = 1e-9;

    private PlanMath() {
    }

    /** An agent as the planner sees it. */
    public record AgentSpec(String name, int cores, long memoryBytes) {
    }

    /**
     * A slice placed on an agent with its predicted times.
     *
     * @param transferInMs receiving its inputs from the client or the previous slice's agent (0 on the same agent)
     */
    public record StageCost(int start, int end, String agent, double computeMs, double transferInMs) {
    }

    /** A whole placement's prediction: its stages, sending the result back to the client, and the end-to-end latency. */
    public record Costed(List<StageCost> stages, double resultTransferMs, double latencyMs) {
        public Costed {
            stages = List.copyOf(stages);
        }
    }

    /** An agent's speed relative to this machine: cores over {@code localCores}, within [{@link #MIN_SPEED}, {@link #MAX_SPEED}]; 1 if unknown. */
    public static double speed(int agentCores, int localCores) {
        if (agentCores <= 0 || localCores <= 0) {
            return 1.0;
        }
        return Math.max(MIN_SPEED, Math.min(MAX_SPEED, (double) agentCores / localCores));
    }

    /** A node name for the client that no agent has. */
    public static String clientName(Collection<String> agents) {
        String name = "client";
        for (int i = 2; agents.contains(name); i++) {
            name = "client-" + i;
        }
        return name;
    }

    /** The agents to plan over: at most {@link #MAX_AGENTS}, most cores first (then by name). */
    public static List<AgentSpec> choose(List<AgentSpec> healthy) {
        return healthy.stream().sorted(Comparator.comparingInt(AgentSpec::cores).reversed().thenComparing(AgentSpec::name))
                .limit(MAX_AGENTS).toList();
    }

    /** The cluster the planner works on: the agents at their speeds, the client, every pair linked at the assumed link. */
    public static Cluster cluster(List<AgentSpec> agents, int localCores) {
        if (agents.isEmpty()) {
            throw new SlicingException("no healthy agent to plan for");
        }
        List<String> names = agents.stream().map(AgentSpec::name).toList();
        String client = clientName(names);
        List<Cluster.Node> nodes = new ArrayList<>();
        nodes.add(new Cluster.Node(client, CLIENT_SPEED, null));
        for (AgentSpec a : agents) {
            nodes.add(new Cluster.Node(a.name(), speed(a.cores(), localCores), null));
        }
        List<Cluster.Link> links = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = i + 1; j < nodes.size(); j++) {
                links.add(new Cluster.Link(nodes.get(i).name(), nodes.get(j).name(), LINK_MBPS, LINK_MS));
            }
        }
        return new Cluster(nodes, links, client, client);
    }

    /** The assumptions in words, for the operator. */
    public static String assumptions(int localCores) {
        return String.format(Locale.ROOT, "Profiled on this machine (%d cores). Agent speed = its cores ÷ %d, capped to %.2g–%.0f×; "
                + "links assumed %.0f Mbit/s, %.1f ms (loopback/LAN); inputs from and results to a client on this machine.",
                localCores, localCores, MIN_SPEED, MAX_SPEED, LINK_MBPS, LINK_MS);
    }

    /**
     * Predicts a placement with the planner's cost model: the client sends the inputs to the first
     * slice's agent, each slice computes ({@code profile} time ÷ speed) and sends what crosses its
     * end to the next agent (free on the same agent), and the last sends the result back.
     *
     * @param bounds  the slices' boundaries, 0 first and the node count last
     * @param agents  the agent of each slice
     * @param speeds  each agent's speed
     */
    public static Costed evaluate(Profile profile, Analysis a, List<Integer> bounds, List<String> agents, Map<String, Double> speeds) {
        if (bounds.size() != agents.size() + 1 || bounds.get(0) != 0 || bounds.get(bounds.size() - 1) != profile.nodes()) {
            throw new SlicingException("slices " + bounds + " do not cover the profiled model's " + profile.nodes() + " nodes");
        }
        List<StageCost> stages = new ArrayList<>();
        String at = null; // the client
        for (int i = 0; i < agents.size(); i++) {
            String agent = agents.get(i);
            Double speed = speeds.get(agent);
            if (speed == null) {
                throw new SlicingException("agent " + agent + " is not known: no speed to predict with");
            }
            int start = bounds.get(i);
            int end = bounds.get(i + 1);
            double compute = (cumulativeMs(profile, a, end) - cumulativeMs(profile, a, start)) / speed;
            double in = agent.equals(at) ? 0 : transferMs(bytesAt(profile, a, start));
            stages.add(new StageCost(start, end, agent, compute, in));
            at = agent;
        }
        double result = transferMs(bytesAt(profile, a, profile.nodes()));
        double latency = result + stages.stream().mapToDouble(s -> s.computeMs() + s.transferInMs()).sum();
        return new Costed(stages, result, latency);
    }

    /** Sending {@code bytes} over the assumed link. */
    public static double transferMs(long bytes) {
        return bytes * 8.0 / (LINK_MBPS * 1000.0) + LINK_MS;
    }

    private static long bytesAt(Profile p, Analysis a, int position) {
        int k = p.positions().indexOf(position);
        return k >= 0 ? p.bytes().get(k) : a.cut(position).bytes();
    }

    /**
     * Predicted time on this machine from the model's start to {@code position}. At a profiled
     * position this is the profile's own prediction; between two, the segment's time is shared by
     * FLOPs (by node count if the segment has none).
     */
    static double cumulativeMs(Profile p, Analysis a, int position) {
        List<Integer> pos = p.positions();
        int k = pos.indexOf(position);
        if (k >= 0) {
            return p.ms(0, k);
        }
        int i = 0;
        while (i + 1 < pos.size() && pos.get(i + 1) < position) {
            i++;
        }
        int lo = pos.get(i);
        int hi = pos.get(i + 1);
        double before = p.ms(0, i);
        double segment = p.ms(i, i + 1);
        long flopsLo = flopsBefore(a, lo);
        long flopsHi = flopsBefore(a, hi);
        double share = flopsHi > flopsLo ? (double) (flopsBefore(a, position) - flopsLo) / (flopsHi - flopsLo)
                : (double) (position - lo) / (hi - lo);
        return before + segment * share;
    }

    private static long flopsBefore(Analysis a, int position) {
        long sum = 0;
        for (var n : a.nodes()) {
            if (n.position() < position) {
                sum += n.flops();
            }
        }
        return sum;
    }
}
