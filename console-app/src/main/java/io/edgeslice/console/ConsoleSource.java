package io.edgeslice.console;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.protocol.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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

    /** The deployed routes: models cut into slices, each slice placed on an agent. */
    List<Message.Route> routes();

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
        return new ConsoleSource() {
            // routes are not in the snapshot: asked over the broker's socket, like edgeslice routes does
            private EdgeSliceClient client;

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
            public synchronized List<Message.Route> routes() {
                if (client == null) {
                    client = new EdgeSliceClient(broker.endpoint());
                }
                try {
                    return client.routes(Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    // a late answer must not be taken for the next question's: start over on a new socket
                    client.close();
                    client = null;
                    throw e;
                }
            }

            @Override
            public List<String> endpoints() {
                return endpoints;
            }

            @Override
            public synchronized void close() {
                if (client != null) {
                    client.close();
                    client = null;
                }
            }
        };
    }
}
