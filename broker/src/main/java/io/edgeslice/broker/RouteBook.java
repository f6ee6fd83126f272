package io.edgeslice.broker;

import io.edgeslice.protocol.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The deployed routes: per model one or more replicas, each saying which agent runs which slice as
 * of which epoch. A replica's route is replaced as a whole with a higher epoch whenever a stage
 * moves. Loop thread only.
 */
final class RouteBook {
    /** A model's route number {@code replica}. */
    record Key(String modelHash, int replica) implements Comparable<Key> {
        static Key of(Message.Route r) {
            return new Key(r.modelHash(), r.replica());
        }

        @Override
        public int compareTo(Key o) {
            return COMPARATOR.compare(this, o);
        }

        private static final Comparator<Key> COMPARATOR = Comparator.comparing(Key::modelHash).thenComparingInt(Key::replica);
    }

    private final Map<Key, Message.Route> routes = new TreeMap<>();
    /** The epoch each withdrawn route was withdrawn under: a later deployment continues from it, so agents take it as newer. */
    private final Map<Key, Long> withdrawn = new HashMap<>();
    /** Routes being (re)placed right now, so a second loss waits for the first repair. */
    private final Set<Key> repairing = new HashSet<>();

    Message.Route get(Key key) {
        return routes.get(key);
    }

    /** Every replica of a model, by replica number. */
    List<Message.Route> of(String modelHash) {
        return routes.values().stream().filter(r -> r.modelHash().equals(modelHash)).toList();
    }

    List<Message.Route> all() {
        return List.copyOf(routes.values());
    }

    long nextEpoch(Key key) {
        Message.Route r = routes.get(key);
        return (r != null ? r.epoch() : withdrawn.getOrDefault(key, 0L)) + 1;
    }

    void put(Message.Route route) {
        routes.put(Key.of(route), route);
    }

    /** Withdraws a route: forgets it and returns the route that tells its agents so (no stages, the next epoch). */
    Message.Route withdraw(Key key) {
        Message.Route r = routes.remove(key);
        Message.Route gone = new Message.Route(key.modelHash(), key.replica(), r.epoch() + 1, List.of(), r.transport());
        withdrawn.put(key, gone.epoch());
        return gone;
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

    /** How many stages of routes other than {@code except} run on this agent (placement spreads replicas by it). */
    int stagesOn(String agent, Key except) {
        int n = 0;
        for (Map.Entry<Key, Message.Route> e : routes.entrySet()) {
            if (!e.getKey().equals(except)) {
                n += (int) e.getValue().stages().stream().filter(s -> s.agent().equals(agent)).count();
            }
        }
        return n;
    }

    boolean startRepair(Key key) {
        return repairing.add(key);
    }

    void endRepair(Key key) {
        repairing.remove(key);
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
