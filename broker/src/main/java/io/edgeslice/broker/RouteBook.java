package io.edgeslice.broker;

import io.edgeslice.protocol.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The deployed routes, one per model: which agent runs which slice, as of which epoch. A route is
 * replaced as a whole with a higher epoch whenever a stage moves. Loop thread only.
 */
final class RouteBook {
    private final Map<String, Message.Route> routes = new TreeMap<>();
    /** Models whose route is being (re)placed right now, so a second loss waits for the first repair. */
    private final Set<String> repairing = new HashSet<>();

    Message.Route get(String modelHash) {
        return routes.get(modelHash);
    }

    List<Message.Route> all() {
        return List.copyOf(routes.values());
    }

    long nextEpoch(String modelHash) {
        Message.Route r = routes.get(modelHash);
        return r == null ? 1 : r.epoch() + 1;
    }

    void put(Message.Route route) {
        routes.put(route.modelHash(), route);
    }

    /** Routes with a stage on this agent. */
    List<Message.Route> using(String agent) {
        List<Message.Route> out = new ArrayList<>();
        for (Message.Route r : routes.values()) {
            if (r.stages().stream().anyMatch(s -> s.agent().equals(agent))) {
                out.add(r);
            }
        }
        return out;
    }

    boolean startRepair(String modelHash) {
        return repairing.add(modelHash);
    }

    void endRepair(String modelHash) {
        repairing.remove(modelHash);
    }

    /** The agents of a route, in stage order, without repeats. */
    static List<String> agents(Message.Route r) {
        List<String> out = new ArrayList<>();
        r.stages().forEach(s -> {
            if (!out.contains(s.agent())) {
                out.add(s.agent());
            }
        });
        return out;
    }
}
