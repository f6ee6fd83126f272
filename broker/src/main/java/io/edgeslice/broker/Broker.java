package io.edgeslice.broker;

import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.broker.store.MetricTable;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SocketPoller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The EdgeSlice broker: agents and clients connect DEALER sockets to its ROUTER. It runs on one
 * thread of its own, which owns the socket; {@link #snapshot()} may be read from any thread.
 * The same class runs headless ({@code edgeslice broker}) and embedded in the console.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);
    private static final long SNAPSHOT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final BrokerConfig config;
    private final MetricTable store;
    private final ZContext context = new ZContext();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final int port;
    private final ConcurrentLinkedQueue<Consumer<BrokerLoop>> commands = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile BrokerSnapshot snapshot;

    /** Binds the control socket and starts the loop thread; throws if the endpoint cannot be bound. */
    public static Broker start(BrokerConfig config, MetricTable store) {
        return new Broker(config, store);
    }

    private Broker(BrokerConfig config, MetricTable store) {
        this.config = config;
        this.store = store;
        ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
        router.setRouterMandatory(true); // never drop silently: a full or unknown peer is reported
        router.setLinger(0);
        router.setHandshakeIvl(2000); // a stalled handshake (seen in JeroMQ under load) is dropped, and the peer reconnects
        router.setSndHWM(10_000);
        router.setRcvHWM(10_000);
        // ZeroMQ cuts a connection sending a frame above this; the loop answers TOO_LARGE below it
        router.setMaxMsgSize(Math.min(Long.MAX_VALUE / 4, 2 * config.maxMessageBytes() + (1 << 20)));
        router.base().setSocketOpt(zmq.ZMQ.ZMQ_DISCONNECT_MSG, BrokerLoop.DISCONNECT_NOTICE);
        try {
            if (config.bindEndpoint().endsWith(":0")) {
                String base = config.bindEndpoint().substring(0, config.bindEndpoint().length() - 2);
                this.port = router.bindToRandomPort(base);
            } else {
                router.bind(config.bindEndpoint());
                this.port = Integer.parseInt(config.bindEndpoint().substring(config.bindEndpoint().lastIndexOf(':') + 1));
            }
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalStateException("cannot bind the broker to " + config.bindEndpoint() + ": " + e.getMessage(), e);
        }
        ModelRepository models = new ModelRepository(config.modelDir(), config.maxModelBytes());
        BrokerLoop loop = new BrokerLoop(router, store, models, config);
        publish(loop);
        this.thread = new Thread(() -> run(router, loop), "edgeslice-broker");
        thread.setDaemon(true);
        thread.start();
        log.info("broker listening on {} (store: {}, models in {})", endpoint(), store.describe(), config.modelDir());
    }

    private void run(ZMQ.Socket router, BrokerLoop loop) {
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(router);
            long nextSnapshot = 0;
            long timeout = 1; // never 0: a poll of 0 ms may block until the next event
            while (running) {
                poller.poll(Math.min(timeout, 100));
                timeout = loop.turn();
                for (Consumer<BrokerLoop> c; (c = commands.poll()) != null; ) {
                    c.accept(loop);
                }
                long now = System.nanoTime();
                if (now - nextSnapshot >= 0) {
                    publish(loop);
                    nextSnapshot = now + SNAPSHOT_INTERVAL_NANOS;
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                log.error("broker loop stopped by an unexpected error", e);
            }
        } finally {
            stopped.countDown();
        }
    }

    private void publish(BrokerLoop loop) {
        BrokerStats s = loop.stats;
        snapshot = new BrokerSnapshot(endpoint(), store.describe(), loop.rows(), loop.queueLength(), loop.runningCount(),
                s.submitted, s.completed, s.failed, s.redispatched, s.rejected, loop.events.snapshot(), loop.routes());
    }

    /**
     * Places a model the broker holds on an agent, which fetches and caches it; tasks for that model
     * then prefer the agent. Completes when the agent's heartbeat lists the model, or exceptionally
     * with a {@link DeployException} saying why not. Safe from any thread.
     */
    public CompletableFuture<Void> deploy(String modelHash, String agentName) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        commands.add(loop -> loop.deploy(modelHash, agentName, done));
        return done;
    }

    /**
     * Places uploaded or imported slices of a model on agents as its route (stages with an empty
     * agent are placed by the broker); completes with the route once every agent holds its slice,
     * or with a {@link DeployException}. Safe from any thread.
     */
    public CompletableFuture<Message.Route> deployRoute(String modelHash, List<Message.Stage> stages) {
        return deployRoute(modelHash, stages, io.edgeslice.protocol.Transport.NONE);
    }

    /** As {@link #deployRoute(String, List)}, with activations travelling by the given transport. */
    public CompletableFuture<Message.Route> deployRoute(String modelHash, List<Message.Stage> stages, io.edgeslice.protocol.Transport transport) {
        return deployRoute(modelHash, 0, stages, transport);
    }

    /** As {@link #deployRoute(String, List)}, as the model's route number {@code replica} (replacing it if it exists). */
    public CompletableFuture<Message.Route> deployRoute(String modelHash, int replica, List<Message.Stage> stages,
                                                        io.edgeslice.protocol.Transport transport) {
        CompletableFuture<Message.Route> done = new CompletableFuture<>();
        commands.add(loop -> loop.deployRoute(new RouteBook.Key(modelHash, replica), stages, transport, done));
        return done;
    }

    /** Moves the slice of a model's first route that starts at {@code start} to another agent (a new epoch). Safe from any thread. */
    public CompletableFuture<Message.Route> moveSlice(String modelHash, int start, String agentName) {
        return moveSlice(modelHash, 0, start, agentName);
    }

    /** Moves the slice of a model's route number {@code replica} that starts at {@code start} to another agent. Safe from any thread. */
    public CompletableFuture<Message.Route> moveSlice(String modelHash, int replica, int start, String agentName) {
        CompletableFuture<Message.Route> done = new CompletableFuture<>();
        commands.add(loop -> loop.moveSlice(new RouteBook.Key(modelHash, replica), start, agentName, done));
        return done;
    }

    /**
     * Withdraws a model's route {@code replica}, or all its routes when empty, as UNDEPLOY_ROUTE
     * does; the future carries the routes as they were, or fails with DeployException (no such
     * route). A route being repaired or moved is withdrawn too. Safe from any thread.
     */
    public CompletableFuture<List<Message.Route>> undeployRoute(String modelHash, java.util.OptionalInt replica) {
        CompletableFuture<List<Message.Route>> done = new CompletableFuture<>();
        commands.add(loop -> loop.undeployRoute(modelHash, replica, done));
        return done;
    }

    /**
     * Copies a model file into the broker's store (content-addressed) and returns its SHA-256, as an
     * upload would; for the embedding console. Safe from any thread.
     */
    public String importModel(Path file) throws IOException {
        String hash = Hashing.sha256(file);
        Path target = config.modelDir().resolve(hash + ".onnx");
        if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(config.modelDir(), hash, ".import");
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return hash;
    }

    /** The file of a model (or slice) the broker holds; it may not exist. */
    public Path modelFile(String modelHash) {
        return config.modelDir().resolve(modelHash + ".onnx");
    }

    /** Up to {@code max} most recent metric samples of an agent, oldest first. Safe from any thread. */
    public List<AgentMetrics> history(String agentName, int max) {
        return store.history(agentName, max);
    }

    /** The latest picture of agents and tasks, at most a quarter second old. */
    public BrokerSnapshot snapshot() {
        return snapshot;
    }

    /** The port the control socket is bound to. */
    public int port() {
        return port;
    }

    /** An endpoint clients on this machine can connect to. */
    public String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    public MetricTable store() {
        return store;
    }

    @Override
    public void close() {
        running = false;
        try {
            if (!stopped.await(5, TimeUnit.SECONDS)) {
                log.warn("broker loop did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
        store.close();
    }
}
