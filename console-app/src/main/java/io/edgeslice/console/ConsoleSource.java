package io.edgeslice.console;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.MeasureProgress;
import io.edgeslice.protocol.LinkProber;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.planner.LinkCache;
import io.edgeslice.planner.MeasuredPlanner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the console reads and commands: the embedded broker in production, a synthetic fleet in the
 * benchmark. Every method may be called from any thread except the FX thread (store reads may be
 * network round trips).
 */
public interface ConsoleSource extends AutoCloseable {

    /** The broker's latest published picture. */
    BrokerSnapshot snapshot();

    /** Up to {@code max} most recent metric samples of an agent, oldest first. */
    List<AgentMetrics> history(String agent, int max);

    /** Places a model the broker holds on an agent; completes when the agent's heartbeat lists it. */
    CompletableFuture<Void> deploy(String modelHash, String agent);

    /** Copies a model file into the broker's model store; returns its SHA-256. */
    String importModel(Path file) throws IOException;

    /**
     * Places imported slices of a model on agents as its route, activations travelling by
     * {@code transport}; stages with an empty agent are placed by the broker. Completes with the
     * route once every agent holds its slice, or exceptionally with the broker's reason.
     */
    CompletableFuture<Message.Route> deployRoute(String modelHash, List<Message.Stage> stages, Transport transport);

    /**
     * Has agents measure a model the broker holds, as {@code deploy --plan auto} does ({@link
     * MeasuredPlanner#measure}): each profiles it on its own hardware (or answers with the profile
     * it measured before), then the links between this console and every agent and between agents
     * are timed, one at a time. Blocks for as long as that takes (seconds to minutes); fails with
     * the first agent that cannot profile or link that cannot be measured.
     *
     * @param agents    the agents to measure, as the broker lists them (healthy, with a data endpoint)
     * @param profiling PROFILE_PROGRESS of each agent, on this thread
     * @param links     each link as its measurement starts, on this thread
     */
    MeasuredPlanner.Measurements measure(String modelHash, long modelSize, Analysis a, List<Message.AgentRow> agents,
                                         Consumer<MeasureProgress> profiling, Consumer<MeasureProgress> links);

    /** Moves the stage of a model's route that starts at {@code start} to {@code agent} under a new epoch. */
    CompletableFuture<Message.Route> moveSlice(String modelHash, int start, String agent);

    /** Withdraws every route of a model; completes with the routes as they were, or exceptionally with the broker's reason. */
    CompletableFuture<List<Message.Route>> undeployRoutes(String modelHash);

    /** The endpoints agents and clients use, e.g. the bound {@code tcp://*:5555} and a local one. */
    List<String> endpoints();

    /** Releases what the source holds (not the broker itself). */
    @Override
    default void close() {
    }

    /** The embedded broker, bound to {@code bindEndpoint} (as given to its config). */
    static ConsoleSource of(Broker broker, String bindEndpoint) {
        String bound = bindEndpoint.endsWith(":0")
                ? bindEndpoint.substring(0, bindEndpoint.length() - 1) + broker.port() : bindEndpoint;
        List<String> endpoints = bound.equals(broker.endpoint()) ? List.of(bound) : List.of(bound, broker.endpoint());
        // planning twice in a row (say for latency, then for throughput) times the same links once
        LinkCache linkCache = new LinkCache(LinkCache.DEFAULT_MAX_AGE, System::nanoTime);
        return new ConsoleSource() {
            @Override
            public BrokerSnapshot snapshot() {
                return broker.snapshot();
            }

            @Override
            public List<AgentMetrics> history(String agent, int max) {
                return broker.history(agent, max);
            }

            @Override
            public CompletableFuture<Void> deploy(String modelHash, String agent) {
                return broker.deploy(modelHash, agent);
            }

            @Override
            public String importModel(Path file) throws IOException {
                return broker.importModel(file);
            }

            @Override
            public CompletableFuture<Message.Route> deployRoute(String modelHash, List<Message.Stage> stages, Transport transport) {
                return broker.deployRoute(modelHash, stages, transport);
            }

            @Override
            public MeasuredPlanner.Measurements measure(String modelHash, long modelSize, Analysis a, List<Message.AgentRow> agents,
                                                        Consumer<MeasureProgress> profiling, Consumer<MeasureProgress> links) {
                // a client of the embedded broker, on the calling thread only: it reaches the agents' data endpoints
                try (EdgeSliceClient client = new EdgeSliceClient(broker.endpoint())) {
                    return MeasuredPlanner.measure(client, modelHash, modelSize, a, agents, MeasuredPlanner.DEFAULT_RUNS,
                            LinkProber.DEFAULT_PROBE_BYTES, linkCache, profiling, links);
                }
            }

            @Override
            public CompletableFuture<Message.Route> moveSlice(String modelHash, int start, String agent) {
                return broker.moveSlice(modelHash, start, agent);
            }

            @Override
            public CompletableFuture<List<Message.Route>> undeployRoutes(String modelHash) {
                return broker.undeployRoute(modelHash, java.util.OptionalInt.empty());
            }

            @Override
            public List<String> endpoints() {
                return endpoints;
            }
        };
    }
}
