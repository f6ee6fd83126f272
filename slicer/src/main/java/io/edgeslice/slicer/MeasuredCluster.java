package io.edgeslice.slicer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link Cluster} built from measurements rather than a nodes.yaml: every agent with the profile
 * it measured on its own hardware, links as measured, and the client as source and sink. The
 * client computes nothing: it is given a speed so low that no plan places a slice on it.
 */
public final class MeasuredCluster {
    /** The client's speed factor: a slice there would take a billion times its profiled time. */
    static final double CLIENT_SPEED = 1e-9;

    private MeasuredCluster() {
    }

    /**
     * @param client   the client's node name (input source and result sink), distinct from every agent's
     * @param profiles each agent's own profile, by agent name; all of the same model, input shapes and positions
     * @param links    measured links; a pair measured in one direction only is taken as symmetric
     */
    public static Cluster of(String client, Map<String, Profile> profiles, List<Cluster.Link> links) {
        if (profiles.isEmpty()) {
            throw new SlicingException("no agent profiles: there is nothing to plan over");
        }
        if (profiles.containsKey(client)) {
            throw new SlicingException("an agent is named '" + client + "' like the client's node; rename one");
        }
        List<Cluster.Node> nodes = new ArrayList<>();
        nodes.add(new Cluster.Node(client, CLIENT_SPEED, null));
        profiles.forEach((name, p) -> nodes.add(new Cluster.Node(name, 1.0, p)));
        return new Cluster(nodes, links, client, client);
    }

    /** A base profile for {@link Planner#plan}: only the client's (never chosen) compute is scaled from it. */
    public static Profile base(Map<String, Profile> profiles) {
        return profiles.values().iterator().next();
    }
}
