package io.edgeslice.broker;

import io.edgeslice.broker.store.AgentState;
import io.edgeslice.broker.store.MetricTable;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Places a model's slices on agents and keeps the routes whole: a DEPLOY_ROUTE deploys each slice
 * on its agent and, once every agent holds its slice, publishes the route under a new epoch to the
 * route's agents and the client; when a stage's agent drops out, its slice moves to another healthy
 * agent the same way. Runs on the broker's loop thread, with the loop's state.
 */
final class RoutePlacement {
    /** Deploys a model on an agent; the future completes when the agent's heartbeat lists it. */
    @FunctionalInterface
    interface Deployer {
        void deploy(String modelHash, String agent, CompletableFuture<Void> done);
    }

    /** Sends a message to a peer's routing identity. */
    @FunctionalInterface
    interface Sender {
        void send(byte[] identity, Message m);
    }

    /**
     * How long a placement waits for a suspect agent. A suspect agent is heard from again or lost
     * within this: a late heartbeat or a reconnect (often just a stalled machine) must not stack two
     * stages of a fresh route on one agent for good.
     */
    static final long SUSPECT_WAIT_NANOS = Liveness.LOST_AFTER_MISSED * Liveness.HEARTBEAT_INTERVAL.toNanos() + Liveness.RECONNECT_GRACE.toNanos();

    private final RouteBook routes;
    private final Map<String, AgentEntry> agentsByName;
    private final ModelRepository models;
    private final MetricTable store;
    private final EventLog events;
    private final Deployer deployer;
    private final Sender sender;
    private final Ticker ticker;
    /** Broker-chosen placements waiting for suspect agents to be heard from again or lost. */
    private final List<Waiting> waiting = new ArrayList<>();

    /** A placement put off until {@code untilNanos} at the latest. */
    private record Waiting(RouteBook.Key key, List<Message.Stage> stages, Transport transport, String ortTarget, Consumer<String> onError,
                           Consumer<Message.Route> onDone, long untilNanos) {
    }

    RoutePlacement(RouteBook routes, Map<String, AgentEntry> agentsByName, ModelRepository models, MetricTable store, EventLog events,
                   Deployer deployer, Sender sender, Ticker ticker) {
        this.routes = routes;
        this.agentsByName = agentsByName;
        this.models = models;
        this.store = store;
        this.events = events;
        this.deployer = deployer;
        this.sender = sender;
        this.ticker = ticker;
    }

    /** Places each slice on its agent (chosen here when not named), then publishes the route. */
    void deployRoute(byte[] client, Message.DeployRoute d) {
        deployRoute(new RouteBook.Key(d.modelHash(), d.replica()), d.stages(), d.transport(), d.ortTarget(), err -> sender.send(client, new Message.Failed(Message.NO_TASK, 0, ErrorCode.BAD_REQUEST,
                "deploying the route failed: " + err)), route -> sender.send(client, route));
    }

    /**
     * Validates the stages (ProtocolException names what is wrong), then places them; exactly one
     * callback runs. Slices cut for an ONNX Runtime target (non-empty) go only to agents of that target.
     */
    void deployRoute(RouteBook.Key key, List<Message.Stage> stages, Transport transport, String ortTarget, Consumer<String> onError,
                     Consumer<Message.Route> onDone) {
        validate(stages);
        place(new Waiting(key, stages, transport, ortTarget, onError, onDone, ticker.nanos() + SUSPECT_WAIT_NANOS));
    }

    private void validate(List<Message.Stage> stages) {
        if (stages.isEmpty() || stages.get(0).start() != 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "a route's first slice must start at position 0");
        }
        for (int i = 0; i < stages.size(); i++) {
            Message.Stage st = stages.get(i);
            if (st.end() <= st.start() || (i > 0 && stages.get(i - 1).end() != st.start())) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "slices must be contiguous and non-empty; slice " + i + " is " + st.start() + "-" + st.end());
            }
            if (models.size(st.sliceHash()) < 0) {
                throw new ProtocolException(ErrorCode.MODEL_MISSING, "slice " + st.start() + "-" + st.end() + " (" + st.sliceHash() + ") was not uploaded");
            }
        }
    }

    /**
     * Chooses the agents not named and places the stages, or, when the choice would put a second
     * stage on an agent while a suspect agent could take it, waits for that agent (see
     * {@link #retryWaiting}).
     */
    private void place(Waiting w) {
        List<String> placement = new ArrayList<>();
        boolean stacked = false;
        for (Message.Stage st : w.stages()) {
            String chosen = st.agent().isEmpty() ? chooseStageAgent(w.key(), st, placement, w.ortTarget()) : st.agent();
            AgentEntry a = chosen == null ? null : agentsByName.get(chosen);
            if (a == null || !a.reachable()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, chosen == null ? "no healthy agent" + (w.ortTarget().isEmpty() ? "" : " of ONNX Runtime target "
                        + w.ortTarget()) + " can take slice " + st.start() + "-" + st.end()
                        : a == null ? "placement names unknown agent " + chosen : "placement names agent " + chosen + ", which is " + a.state.lowerName());
            }
            checkTarget(a, w.ortTarget());
            stacked |= st.agent().isEmpty() && placement.contains(chosen);
            placement.add(chosen);
        }
        List<String> suspects = stacked ? suspectsThatCouldTake(w, placement) : List.of();
        if (!suspects.isEmpty() && ticker.nanos() - w.untilNanos() < 0) {
            if (!waiting.contains(w)) {
                events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.ROUTE_CHANGED, w.key().modelHash(), name(w.key()) + " waits for suspect agent"
                        + (suspects.size() == 1 ? " " : "s ") + String.join(", ", suspects) + " rather than run two stages on one agent");
                waiting.add(w);
            }
            return;
        }
        waiting.remove(w);
        placeStages(w.key(), w.stages(), placement, w.transport(), w.ortTarget(), w.onError(), w.onDone());
    }

    /** Suspect agents outside the placement that could take one of its stages chosen here. */
    private List<String> suspectsThatCouldTake(Waiting w, List<String> placement) {
        List<String> names = new ArrayList<>();
        for (AgentEntry a : agentsByName.values()) {
            if (a.state == AgentState.SUSPECT && a.identity != null && !placement.contains(a.name()) && runsTarget(a, w.ortTarget())
                    && w.stages().stream().anyMatch(st -> st.agent().isEmpty() && a.fits(st.sliceSize()))) {
                names.add(a.name());
            }
        }
        names.sort(null);
        return names;
    }

    /** Places the waiting routes whose suspect agents were heard from or lost, or whose wait is over. */
    void retryWaiting() {
        for (Waiting w : List.copyOf(waiting)) {
            try {
                place(w);
            } catch (ProtocolException e) {
                waiting.remove(w);
                w.onError().accept(e.getMessage());
            }
        }
    }

    /**
     * Withdraws one route of a model, or all of them: tells each agent of the route (a ROUTE with no
     * stages), forgets it here and in the store, and answers the client with the routes as they were.
     * A route being repaired or moved is withdrawn too: the placement under way is dropped when it
     * completes. ProtocolException NO_ROUTE when there is none.
     *
     * @param replica the route to withdraw; empty for every route of the model
     * @return the routes withdrawn, as they were
     */
    List<Message.Route> undeploy(String modelHash, OptionalInt replica) {
        Message.Route one = replica.isPresent() ? routes.get(new RouteBook.Key(modelHash, replica.getAsInt())) : null;
        List<Message.Route> targets = replica.isEmpty() ? routes.of(modelHash) : one == null ? List.of() : List.of(one);
        if (targets.isEmpty()) {
            throw new ProtocolException(ErrorCode.NO_ROUTE, (replica.isEmpty() ? "no route is" : "no route " + replica.getAsInt() + " is")
                    + " deployed for model " + modelHash);
        }
        for (Message.Route r : targets) {
            RouteBook.Key key = RouteBook.Key.of(r);
            Message.Route gone = routes.withdraw(key);
            store.routeRemoved(key.modelHash(), key.replica());
            for (String name : RouteBook.agents(r)) {
                AgentEntry a = agentsByName.get(name);
                if (a != null && a.identity != null) {
                    sender.send(a.identity, gone);
                }
            }
            events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.ROUTE_CHANGED, key.modelHash(), name(key) + " withdrawn at epoch " + gone.epoch());
        }
        return targets;
    }

    /** Moves one slice of a route (the stage starting at {@code start}) to another agent, under a new epoch. */
    void moveSlice(RouteBook.Key key, int start, String agent, Consumer<String> onError, Consumer<Message.Route> onDone) {
        Message.Route r = routes.get(key);
        if (r == null) {
            throw new ProtocolException(ErrorCode.NO_ROUTE, "no route " + key.replica() + " is deployed for model " + key.modelHash());
        }
        List<String> agents = new ArrayList<>(r.stages().stream().map(Message.Stage::agent).toList());
        int index = -1;
        for (int i = 0; i < r.stages().size(); i++) {
            if (r.stages().get(i).start() == start) {
                index = i;
            }
        }
        if (index < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "route " + key.replica() + " of model " + Hashing.shortHash(key.modelHash())
                    + " has no slice starting at " + start);
        }
        AgentEntry a = agentsByName.get(agent);
        Message.Stage st = r.stages().get(index);
        if (a == null || !a.reachable()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, a == null ? "no agent named " + agent : "agent " + agent + " is " + a.state.lowerName());
        }
        if (!a.fits(st.sliceSize())) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "slice " + st.start() + "-" + st.end() + " does not fit agent " + agent);
        }
        checkTarget(a, r.ortTarget());
        agents.set(index, agent);
        placeStages(key, r.stages(), agents, r.transport(), r.ortTarget(), onError, onDone);
    }

    /** Whether an agent may run slices cut for this ONNX Runtime target ("" for the portable graph: any agent). */
    private static boolean runsTarget(AgentEntry a, String ortTarget) {
        return ortTarget.isEmpty() || ortTarget.equals(a.record.ortTarget());
    }

    /** Slices of a graph optimised for one ONNX Runtime target compute differently, or not at all, elsewhere. */
    private static void checkTarget(AgentEntry a, String ortTarget) {
        if (!runsTarget(a, ortTarget)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "the slices were cut from the graph ONNX Runtime optimised for " + ortTarget
                    + ", but agent " + a.name() + " is " + (a.record.ortTarget().isEmpty() ? "of unknown target" : a.record.ortTarget()));
        }
    }

    /**
     * A healthy agent for a slice, preferring agents not yet in this route, then agents running
     * fewer stages of any route (so replicas and repairs spread over idle agents), then the least
     * loaded.
     */
    private String chooseStageAgent(RouteBook.Key key, Message.Stage st, List<String> taken, String ortTarget) {
        AgentEntry best = null;
        for (AgentEntry a : agentsByName.values()) {
            if (!a.canReceive() || !a.fits(st.sliceSize()) || !runsTarget(a, ortTarget)) {
                continue;
            }
            if (best == null || compareCandidates(key, a, best, st, taken) < 0) {
                best = a;
            }
        }
        return best == null ? null : best.name();
    }

    private int compareCandidates(RouteBook.Key key, AgentEntry a, AgentEntry b, Message.Stage st, List<String> taken) {
        int byRoute = Boolean.compare(taken.contains(a.name()), taken.contains(b.name()));
        if (byRoute != 0) {
            return byRoute;
        }
        int byStages = Integer.compare(routes.stagesOn(a.name(), key), routes.stagesOn(b.name(), key));
        if (byStages != 0) {
            return byStages;
        }
        return BrokerLoop.better(a, b, st.sliceHash()) ? -1 : 1;
    }

    /**
     * Deploys every slice on its agent; once all are there, installs the route under a new epoch,
     * unless the route changed meanwhile (withdrawn, or replaced by another placement): it was
     * planned from a route that is gone, so it fails instead.
     */
    private void placeStages(RouteBook.Key key, List<Message.Stage> stages, List<String> agents, Transport transport, String ortTarget,
                             Consumer<String> onError, Consumer<Message.Route> onDone) {
        long epoch = routes.nextEpoch(key);
        List<CompletableFuture<Void>> placed = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            placed.add(f);
            deployer.deploy(stages.get(i).sliceHash(), agents.get(i), f);
        }
        // deployments complete on this thread (heartbeats), so the continuation runs here too
        CompletableFuture.allOf(placed.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
            if (err != null) {
                onError.accept(err.getCause() != null ? err.getCause().getMessage() : err.getMessage());
                return;
            }
            if (routes.nextEpoch(key) != epoch) {
                onError.accept(name(key) + (routes.get(key) == null ? " was withdrawn" : " changed to epoch " + routes.get(key).epoch())
                        + " while its slices were being placed");
                return;
            }
            List<Message.Stage> placedStages = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                Message.Stage st = stages.get(i);
                AgentEntry a = agentsByName.get(agents.get(i));
                placedStages.add(new Message.Stage(st.start(), st.end(), st.sliceHash(), models.size(st.sliceHash()), a.name(),
                        a.record.dataEndpoint()));
            }
            Message.Route route = new Message.Route(key.modelHash(), key.replica(), epoch, placedStages, transport, ortTarget);
            routes.put(route);
            store.routeSaved(route);
            for (String name : RouteBook.agents(route)) {
                AgentEntry a = agentsByName.get(name);
                if (a != null && a.identity != null) {
                    sender.send(a.identity, route);
                }
            }
            events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.ROUTE_CHANGED, key.modelHash(), name(key) + " epoch " + route.epoch()
                    + ": " + describe(route));
            onDone.accept(route);
        });
    }

    /** Moves the slices of lost agents to other healthy agents, under a new epoch. */
    void repair(RouteBook.Key key) {
        Message.Route r = routes.get(key);
        if (r == null || !routes.startRepair(key)) {
            return;
        }
        List<String> agents = new ArrayList<>();
        List<String> keep = new ArrayList<>();
        for (Message.Stage st : r.stages()) {
            AgentEntry a = agentsByName.get(st.agent());
            keep.add(a != null && a.state == AgentState.HEALTHY ? st.agent() : null);
        }
        for (int i = 0; i < r.stages().size(); i++) {
            String name = keep.get(i);
            if (name == null) {
                List<String> taken = new ArrayList<>(keep.stream().filter(Objects::nonNull).toList());
                taken.addAll(agents);
                name = chooseStageAgent(key, r.stages().get(i), taken, r.ortTarget());
                if (name == null) {
                    routes.endRepair(key);
                    events.add(BrokerEvent.Severity.ERROR, BrokerEvent.Kind.ROUTE_CHANGED, key.modelHash(), name(key)
                            + " is broken: no healthy agent" + (r.ortTarget().isEmpty() ? "" : " of ONNX Runtime target " + r.ortTarget())
                            + " can take slice "
                            + r.stages().get(i).start() + "-" + r.stages().get(i).end());
                    return;
                }
            }
            agents.add(name);
        }
        placeStages(key, r.stages(), agents, r.transport(), r.ortTarget(), err -> {
            routes.endRepair(key);
            if (routes.get(key) == null) { // withdrawn meanwhile: nothing is left to repair
                events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.ROUTE_CHANGED, key.modelHash(), "repair dropped: " + err);
            } else {
                events.add(BrokerEvent.Severity.ERROR, BrokerEvent.Kind.ROUTE_CHANGED, key.modelHash(), "repairing " + name(key) + " failed: " + err);
            }
        }, route -> {
            routes.endRepair(key);
            if (route.stages().stream().anyMatch(st -> !agentsByName.get(st.agent()).canReceive())) {
                repair(key); // another agent was lost meanwhile
            }
        });
    }

    private static String name(RouteBook.Key key) {
        return "route " + key.replica() + " of model " + Hashing.shortHash(key.modelHash());
    }

    private static String describe(Message.Route r) {
        StringBuilder sb = new StringBuilder();
        for (Message.Stage st : r.stages()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(st.start()).append('-').append(st.end()).append('@').append(st.agent());
        }
        return sb.toString();
    }
}
