package io.edgeslice.console.plan;

import io.edgeslice.client.AgentProfile;
import io.edgeslice.client.LinkSpeed;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cluster;
import io.edgeslice.planner.MeasuredPlanner;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.SlicingException;
import io.edgeslice.slicer.TransportRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The planner's cost model over a measured cluster, for any placement (the current route's too):
 * a stage's compute is its share of the profile its agent measured, and every hop between two
 * nodes costs bytes / measured bandwidth + measured latency. Requests come from this console (the
 * cluster's client node) and results go back to it. No JavaFX; any thread.
 */
public final class PlanMath {
    /** Links shown at most; the slowest are kept. */
    static final int MAX_LINKS_SHOWN = 12;

    private PlanMath() {
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

    /**
     * Predicts a placement with the planner's cost model on a measured cluster: the client (the
     * cluster's source) sends the inputs to the first slice's agent, each slice computes for its
     * share of its agent's own profile and sends what crosses its end to the next agent over the
     * measured link (free on the same agent), and the last sends the result back to the sink.
     *
     * @param bounds the slices' boundaries, 0 first and the node count last
     * @param agents the agent of each slice; each must have been measured (be a node with a profile)
     */
    public static Costed evaluate(Cluster cluster, Analysis a, List<Integer> bounds, List<String> agents) {
        if (bounds.size() != agents.size() + 1 || bounds.get(0) != 0 || bounds.get(bounds.size() - 1) != a.nodeCount()) {
            throw new SlicingException("slices " + bounds + " do not cover the model's " + a.nodeCount() + " nodes");
        }
        List<StageCost> stages = new ArrayList<>();
        String at = cluster.source();
        Profile last = null; // every agent profiled the same positions: any of them gives the bytes crossing
        for (int i = 0; i < agents.size(); i++) {
            String agent = agents.get(i);
            Profile p = profileOf(cluster, agent);
            int start = bounds.get(i);
            int end = bounds.get(i + 1);
            double compute = cumulativeMs(p, a, end) - cumulativeMs(p, a, start);
            double in = agent.equals(at) ? 0 : transferMs(cluster.link(at, agent), bytesAt(p, a, start));
            stages.add(new StageCost(start, end, agent, compute, in));
            at = agent;
            last = p;
        }
        double result = at.equals(cluster.sink()) ? 0 : transferMs(cluster.link(at, cluster.sink()), bytesAt(last, a, a.nodeCount()));
        double latency = result + stages.stream().mapToDouble(s -> s.computeMs() + s.transferInMs()).sum();
        return new Costed(stages, result, latency);
    }

    private static Profile profileOf(Cluster cluster, String agent) {
        for (Cluster.Node n : cluster.nodes()) {
            if (n.name().equals(agent) && n.profile() != null) {
                return n.profile();
            }
        }
        throw new SlicingException("agent " + agent + " was not measured (not healthy when planned, or beyond the "
                + MeasuredPlanner.MAX_AGENTS + " planned over): cannot predict it");
    }

    /** Sending {@code bytes} over a measured link, as the planner counts it. */
    public static double transferMs(Cluster.Link link, long bytes) {
        return bytes * 8.0 / (link.mbps() * 1000.0) + link.ms();
    }

    private static long bytesAt(Profile p, Analysis a, int position) {
        int k = p.positions().indexOf(position);
        return k >= 0 ? p.bytes().get(k) : a.cut(position).bytes();
    }

    /**
     * Predicted time on the profile's agent from the model's start to {@code position}. At a profiled
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

    /** What each agent measured, e.g. {@code a1 12.3 ms (measured before) · a2 15.0 ms}: its whole-model time. */
    public static String profiles(MeasuredPlanner.Result r) {
        List<String> parts = new ArrayList<>();
        for (AgentProfile p : r.measured().profiles()) {
            Profile profile = r.profiles().get(p.agent());
            parts.add(String.format(Locale.ROOT, "%s %.1f ms%s", p.agent(), profile.wholeMs(), p.cached() ? " (measured before)" : ""));
        }
        return "Whole model as profiled by each agent: " + String.join(" · ", parts);
    }

    /** The measured links, e.g. {@code client→a1 2450 Mbit/s 0.08 ms}; the slowest {@link #MAX_LINKS_SHOWN} if there are more. */
    public static String links(MeasuredPlanner.Result r) {
        List<LinkSpeed> links = r.measured().links();
        List<LinkSpeed> shown = links.size() <= MAX_LINKS_SHOWN ? links
                : links.stream().sorted(Comparator.comparingDouble(LinkSpeed::mbps)).limit(MAX_LINKS_SHOWN).toList();
        List<String> parts = new ArrayList<>();
        for (LinkSpeed l : shown) {
            parts.add(String.format(Locale.ROOT, "%s→%s %.0f Mbit/s %.2f ms", l.from(), l.to(), l.mbps(), l.ms()));
        }
        String more = shown.size() < links.size() ? " · " + (links.size() - shown.size()) + " faster not shown" : "";
        return "Links measured: " + String.join(" · ", parts) + more;
    }

    /** What the plan rests on, in words, for the operator. */
    public static String assumptions(MeasuredPlanner.Result r) {
        return "Each agent profiled the model on its own hardware (kept per model and input shape, so a second plan reuses it); "
                + "the links this console↔agents and agent→agent were timed with probes; '" + r.cluster().source()
                + "' is this console, where inputs come from and results go back to. Activations travel "
                + (r.transport() == Transport.NONE ? "raw" : r.transport().name().toLowerCase(Locale.ROOT)) + ": " + r.transportReason()
                + String.format(Locale.ROOT, " (lz4 below %.0f Mbit/s). ", TransportRule.LZ4_BELOW_MBPS)
                + "A route cut between profiled positions gets its segment's time shared by FLOPs.";
    }
}
