package io.edgeslice.planner;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.edgeslice.client.AgentProfile;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.LinkSpeed;
import io.edgeslice.client.MeasureProgress;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cluster;
import io.edgeslice.slicer.MeasuredCluster;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.Planner;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.SlicerJson;
import io.edgeslice.slicer.SlicingException;
import io.edgeslice.slicer.TransportRule;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Planning over what the agents measure, shared by {@code deploy --plan auto} and the console's
 * Auto-plan: every agent profiles the model on its own hardware, the links between the client and
 * the agents and between agents are measured ({@link #measure}), and {@link #plan} chooses cuts and
 * agents over that {@link MeasuredCluster} and the activations' transport by {@link TransportRule}.
 * Prints nothing; {@link #measure} runs on the thread that owns the client.
 */
public final class MeasuredPlanner {
    /** The planner's exact DP takes up to 12 nodes, one of them the client. */
    public static final int MAX_AGENTS = 11;
    /** Timed runs per profiled segment on each agent, unless told otherwise. */
    public static final int DEFAULT_RUNS = 5;
    static final Duration PROFILE_TIMEOUT = Duration.ofMinutes(10);
    static final Duration LINK_TIMEOUT = Duration.ofMinutes(5);
    private static final java.util.regex.Pattern ENDPOINT = java.util.regex.Pattern.compile("^[a-z]+://(.+):\\d+$");

    /**
     * The machine an agent runs on, as far as sharing cores goes: agents that advertise the same
     * data address share one machine.
     *
     * @param name  the address its agents advertise (or a host name)
     * @param cores its cores, as its agents report them
     */
    public record Host(String name, int cores) {
    }

    /**
     * What the agents measured.
     *
     * @param clientNode the client's node name in {@code links}: source of the inputs and sink of the results
     * @param profiles   each agent's profile of the model, measured on its own hardware
     * @param links      client to every agent and back, and every ordered pair of agents
     * @param hosts      the machine of each agent, by agent name (agents not in it count as machines of their own)
     */
    public record Measurements(String clientNode, List<AgentProfile> profiles, List<LinkSpeed> links, Map<String, Host> hosts) {
        public Measurements {
            profiles = List.copyOf(profiles);
            links = List.copyOf(links);
            hosts = Map.copyOf(hosts);
        }

        /** Measurements of agents each on a machine of its own. */
        public Measurements(String clientNode, List<AgentProfile> profiles, List<LinkSpeed> links) {
            this(clientNode, profiles, links, Map.of());
        }

        /** The same measurements with one agent per machine: of co-located agents, the one whose whole model was fastest. */
        Measurements onePerHost(Map<String, Profile> parsed) {
            Map<String, String> kept = new LinkedHashMap<>(); // host -> agent
            for (AgentProfile p : profiles) {
                Host h = hosts.get(p.agent());
                String key = h == null ? "agent:" + p.agent() : h.name();
                String other = kept.get(key);
                if (other == null || parsed.get(p.agent()).wholeMs() < parsed.get(other).wholeMs()) {
                    kept.put(key, p.agent());
                }
            }
            java.util.Set<String> agents = new java.util.HashSet<>(kept.values());
            return new Measurements(clientNode, profiles.stream().filter(p -> agents.contains(p.agent())).toList(),
                    links.stream().filter(l -> (l.from().equals(clientNode) || agents.contains(l.from()))
                            && (l.to().equals(clientNode) || agents.contains(l.to()))).toList(), hosts);
        }
    }

    /**
     * A plan over the measured cluster and how its activations travel.
     *
     * @param profiles       each agent's parsed profile, by agent name
     * @param sharedPeriodMs the plan's period once agents on one machine share its cores ({@link
     *                       Plan#periodMs()} or longer): what a pipeline of it can really sustain
     */
    public record Result(Plan plan, Cluster cluster, Transport transport, String transportReason, Measurements measured,
                         Map<String, Profile> profiles, double sharedPeriodMs) {
        public Result {
            profiles = Map.copyOf(profiles);
        }

        public int[] cuts() {
            return plan.cuts().stream().mapToInt(Integer::intValue).toArray();
        }

        /** The same plan with another transport, e.g. one the operator chose. */
        public Result withTransport(Transport t, String reason) {
            return new Result(plan, cluster, t, reason, measured, profiles, sharedPeriodMs);
        }
    }

    private MeasuredPlanner() {
    }

    /** The agents a plan may use: healthy ones with a data endpoint, at most {@link #MAX_AGENTS}, in the given order. */
    public static List<Message.AgentRow> plannable(List<Message.AgentRow> agents) {
        return agents.stream().filter(r -> r.state().equals("healthy") && !r.dataEndpoint().isEmpty()).limit(MAX_AGENTS).toList();
    }

    /**
     * Has every agent profile the model (which the broker holds) on its own hardware, then measures the
     * links, one at a time. Agents cache profiles per model and input shapes: a second call profiles nothing.
     *
     * @param a           the model as the client analysed it: its input shapes are what the agents profile with
     * @param runs        timed runs per profiled segment (1 to 100)
     * @param probeBytes  size of the link probes ({@code LinkProber.DEFAULT_PROBE_BYTES} is 2 MiB)
     * @param profiling   PROFILE_PROGRESS of each agent (subject: the agent); called on this thread
     * @param linking     each link as its measurement starts (subject: {@code from -> to}); called on this thread
     */
    public static Measurements measure(EdgeSliceClient client, String modelHash, long modelSize, Analysis a, List<Message.AgentRow> agents,
                                       int runs, int probeBytes, Consumer<MeasureProgress> profiling, Consumer<MeasureProgress> linking) {
        return measure(client, modelHash, modelSize, a, agents, runs, probeBytes, null, profiling, linking);
    }

    /**
     * As {@link #measure(EdgeSliceClient, String, long, Analysis, List, int, int, Consumer, Consumer)},
     * reusing the links measured over the same agents not long ago ({@code links}; null measures them).
     */
    public static Measurements measure(EdgeSliceClient client, String modelHash, long modelSize, Analysis a, List<Message.AgentRow> agents,
                                       int runs, int probeBytes, LinkCache links, Consumer<MeasureProgress> profiling,
                                       Consumer<MeasureProgress> linking) {
        if (agents.isEmpty()) {
            throw new SlicingException("no healthy agent to plan over: start agents first (edgeslice agent --broker …)");
        }
        List<AgentProfile> profiles = client.profile(agents, modelHash, modelSize, a.inputShapes(), runs, PROFILE_TIMEOUT, profiling);
        String clientNode = clientName(agents.stream().map(Message.AgentRow::name).toList());
        java.util.Optional<List<LinkSpeed>> cached = links == null ? java.util.Optional.empty() : links.get(agents, clientNode);
        List<LinkSpeed> measured;
        if (cached.isPresent()) {
            measured = cached.get();
            linking.accept(new MeasureProgress("every link", "reusing the links measured " + links.age().toSeconds() + " s ago",
                    measured.size(), measured.size()));
        } else {
            measured = client.measureLinks(agents, clientNode, probeBytes, LINK_TIMEOUT, linking);
            if (links != null) {
                links.put(agents, clientNode, measured);
            }
        }
        return new Measurements(clientNode, profiles, measured, hosts(agents));
    }

    /** Each agent's machine: the address it advertises for its data endpoint (its host name if it has none), and its cores. */
    public static Map<String, Host> hosts(List<Message.AgentRow> agents) {
        Map<String, Host> out = new LinkedHashMap<>();
        for (Message.AgentRow r : agents) {
            java.util.regex.Matcher m = ENDPOINT.matcher(r.dataEndpoint());
            out.put(r.name(), new Host(m.matches() ? m.group(1) : r.host(), Math.max(1, r.cores())));
        }
        return out;
    }

    /**
     * Plans cuts and agents over the measured cluster: every agent with its own profile (checked
     * against {@code a}), the measured links, the client as source and sink computing nothing; then
     * chooses NONE or LZ4 from the slowest hop the route's activations cross.
     */
    public static Result plan(Measurements m, Analysis a, Objective objective) {
        Result all = planOver(m, a, objective);
        if (objective != Objective.THROUGHPUT) {
            return all;
        }
        // the planner counts every agent as a machine of its own; where agents share one, a plan with one agent per
        // machine may sustain more once the shared cores are counted
        Measurements spread = m.onePerHost(all.profiles());
        if (spread.profiles().size() == m.profiles().size()) {
            return all;
        }
        Result few = planOver(spread, a, objective);
        // as fast or faster with fewer agents: fewer hops, so also a lower latency
        return few.sharedPeriodMs() <= all.sharedPeriodMs() + 1e-9 ? few : all;
    }

    private static Result planOver(Measurements m, Analysis a, Objective objective) {
        Cluster cluster = cluster(m, a);
        Map<String, Profile> profiles = profiles(cluster);
        Plan plan = Planner.plan(cluster, MeasuredCluster.base(profiles), objective);
        TransportRule.Choice choice = TransportRule.choose(plan, cluster);
        return new Result(plan, cluster, choice.transport(), choice.reason(), m, profiles, SharedCores.periodMs(plan, m.hosts(), profiles));
    }

    /** The measured cluster: each agent with its own profile (checked against {@code a}), the links, the client. */
    public static Cluster cluster(Measurements m, Analysis a) {
        Map<String, Profile> profiles = new LinkedHashMap<>();
        for (AgentProfile p : m.profiles()) {
            Profile profile = parse(p);
            profile.checkMatches(a); // the agent analysed the model as we did: same order, positions and shapes
            profiles.put(p.agent(), profile);
        }
        return MeasuredCluster.of(m.clientNode(), profiles,
                m.links().stream().map(l -> new Cluster.Link(l.from(), l.to(), l.mbps(), l.ms())).toList());
    }

    private static Map<String, Profile> profiles(Cluster c) {
        Map<String, Profile> out = new LinkedHashMap<>();
        c.nodes().stream().filter(n -> n.profile() != null).forEach(n -> out.put(n.name(), n.profile()));
        return out;
    }

    /** An agent's profile JSON as a {@link Profile}. */
    public static Profile parse(AgentProfile p) {
        try {
            return SlicerJson.mapper().readValue(p.profileJson(), Profile.class);
        } catch (JsonProcessingException e) {
            throw new SlicingException("agent " + p.agent() + " sent a profile that is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A node name for the client that no agent has: {@code client}, else {@code client-2}, … */
    public static String clientName(Collection<String> agents) {
        String name = "client";
        for (int i = 2; agents.contains(name); i++) {
            name = "client-" + i;
        }
        return name;
    }
}
