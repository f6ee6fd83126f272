package io.edgeslice.client;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A connection to an EdgeSlice broker. Not thread-safe: it owns one DEALER socket, used only by the
 * thread that calls it. Start order does not matter: requests wait (and are retried) until the
 * broker answers or the call's timeout passes.
 */
public final class EdgeSliceClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeSliceClient.class);
    static final int CHUNK_BYTES = 1 << 20;
    static final int UPLOAD_WINDOW = 4;
    /** Lazy Pirate: a request not answered within this is sent again (idempotent). */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(2500);
    static final int HANDSHAKE_MS = 2000;

    private final ZContext context = new ZContext();
    private final ZMQ.Socket socket;
    private final String endpoint;

    public EdgeSliceClient(String brokerEndpoint) {
        this.endpoint = brokerEndpoint;
        this.socket = context.createSocket(SocketType.DEALER);
        // a fixed identity lets a restarted broker route answers of stored tasks back to us
        byte[] identity = new byte[16];
        ByteBuffer.wrap(identity).putLong(UUID.randomUUID().getMostSignificantBits()).putLong(UUID.randomUUID().getLeastSignificantBits());
        socket.setIdentity(identity);
        socket.setLinger(0);
        // under load JeroMQ can stall a handshake with no error (the default waits 30 s): retry it soon
        socket.setHandshakeIvl(HANDSHAKE_MS);
        socket.setSndHWM(100_000);
        socket.setRcvHWM(100_000);
        try {
            socket.connect(brokerEndpoint);
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalArgumentException("cannot connect to broker endpoint '" + brokerEndpoint + "': " + e.getMessage(), e);
        }
    }

    public String endpoint() {
        return endpoint;
    }

    /**
     * Uploads a model unless the broker already holds it; returns its SHA-256. Progress reports
     * bytes the broker has confirmed.
     */
    public String uploadModel(Path file, Duration timeout, LongConsumer progress) throws IOException {
        long size = Files.size(file);
        checkLooksLikeOnnx(file, size);
        String hash = Hashing.sha256(file);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Message.ModelStatus status = request(new Message.ModelOffer(hash, size), Message.ModelStatus.class, deadline);
            long sent = status.receivedBytes();
            long confirmed = status.receivedBytes();
            int outstanding = 0;
            while (!status.complete()) {
                while (outstanding < UPLOAD_WINDOW && sent < size) {
                    int len = (int) Math.min(CHUNK_BYTES, size - sent);
                    ByteBuffer chunk = ByteBuffer.allocate(len);
                    while (chunk.hasRemaining() && ch.read(chunk, sent + chunk.position()) > 0) {
                        // fill
                    }
                    chunk.flip();
                    send(new Message.ModelChunk(hash, sent, Hashing.crc32c(chunk), chunk));
                    sent += len;
                    outstanding++;
                }
                Message m = receive(deadline, "upload of " + file.getFileName());
                if (m == null) {
                    // nothing confirmed for a while: ask again where the broker stands
                    status = request(new Message.ModelOffer(hash, size), Message.ModelStatus.class, deadline);
                    sent = status.receivedBytes();
                    outstanding = 0;
                    continue;
                }
                status = expect(m, Message.ModelStatus.class);
                outstanding = Math.max(0, outstanding - 1);
                if (status.receivedBytes() > confirmed) {
                    confirmed = status.receivedBytes();
                    progress.accept(confirmed);
                } else if (!status.complete() && status.receivedBytes() < sent && outstanding == 0) {
                    sent = status.receivedBytes(); // the broker expects an earlier offset: resend from there
                }
            }
            progress.accept(size);
            return hash;
        }
    }

    private static void checkLooksLikeOnnx(Path file, long size) throws IOException {
        if (size == 0) {
            throw new ClientException(ErrorCode.BAD_MODEL, file + " is empty, not an ONNX model");
        }
        try (var in = Files.newInputStream(file)) {
            int first = in.read();
            // an ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08
            if (first != 0x08) {
                throw new ClientException(ErrorCode.BAD_MODEL, file + " is not an ONNX model (no ModelProto header)");
            }
        }
    }

    /**
     * Submits every task, at most {@code concurrency} unanswered at once, and waits for exactly one
     * outcome per task (TIMEOUT for those not answered when the timeout passes). Each outcome is
     * also given to {@code onOutcome} as it arrives.
     */
    public List<TaskOutcome> run(List<TaskRequest> requests, int concurrency, Duration timeout, Consumer<TaskOutcome> onOutcome) {
        return new TaskSession(this, requests, Math.max(1, concurrency), timeout, onOutcome).run();
    }

    /**
     * Runs tasks through the model's deployed routes: inputs go straight to the first stage's agent
     * of a route (with several replicas, the one with the fewest requests in flight), results come
     * straight from the last stage; exactly one outcome per task. Fails with NO_ROUTE when the
     * model has no route.
     */
    public List<TaskOutcome> runPipeline(String modelHash, List<TaskRequest> requests, int concurrency, Duration timeout,
                                         Consumer<TaskOutcome> onOutcome) {
        List<Message.Route> replicas = routesOf(modelHash, Duration.ofSeconds(10));
        return new PipelineSession(this, context, modelHash, replicas, requests, Math.max(1, concurrency), timeout, onOutcome).run();
    }

    /** The model's first route (replica 0 unless it was never deployed); ClientException NO_ROUTE when none is deployed. */
    public Message.Route route(String modelHash, Duration timeout) {
        return routesOf(modelHash, timeout).get(0);
    }

    /** Every route (replica) of the model, by replica number; ClientException NO_ROUTE when none is deployed. */
    public List<Message.Route> routesOf(String modelHash, Duration timeout) {
        return request(new Message.RouteQuery(modelHash), Message.Routes.class, System.nanoTime() + timeout.toNanos()).routes();
    }

    /** Every deployed route. */
    public List<Message.Route> routes(Duration timeout) {
        return request(new Message.ListRoutes(), Message.Routes.class, System.nanoTime() + timeout.toNanos()).routes();
    }

    /**
     * Asks the broker to place uploaded slices of a model on agents (stages with an empty agent are
     * placed by the broker) and waits for the route.
     */
    public Message.Route deployRoute(String modelHash, List<Message.Stage> stages, Duration timeout) {
        return deployRoute(modelHash, stages, io.edgeslice.protocol.Transport.NONE, timeout);
    }

    /** As {@link #deployRoute(String, List, Duration)}, with activations travelling by the given transport. */
    public Message.Route deployRoute(String modelHash, List<Message.Stage> stages, io.edgeslice.protocol.Transport transport, Duration timeout) {
        return deployRoute(modelHash, 0, stages, transport, timeout);
    }

    /**
     * As {@link #deployRoute(String, List, io.edgeslice.protocol.Transport, Duration)}, as the
     * model's route number {@code replica} (0, 1, …; an existing replica is replaced).
     */
    public Message.Route deployRoute(String modelHash, int replica, List<Message.Stage> stages, io.edgeslice.protocol.Transport transport,
                                     Duration timeout) {
        return deployRoute(modelHash, replica, stages, transport, "", timeout);
    }

    /**
     * As {@link #deployRoute(String, int, List, io.edgeslice.protocol.Transport, Duration)} for slices
     * cut from the graph ONNX Runtime optimised for {@code ortTarget} (empty: the portable graph): the
     * broker places them only on agents of that target.
     */
    public Message.Route deployRoute(String modelHash, int replica, List<Message.Stage> stages, io.edgeslice.protocol.Transport transport,
                                     String ortTarget, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        send(new Message.DeployRoute(modelHash, replica, stages, transport, ortTarget));
        while (true) {
            Message m = receive(deadline, "deployment of the route");
            if (m instanceof Message.Route r && r.modelHash().equals(modelHash) && r.replica() == replica) {
                return r;
            }
            if (m instanceof Message.Failed f) {
                throw new ClientException(f.code(), f.message());
            }
        }
    }

    /**
     * Withdraws a model's route {@code replica}, or every route of the model when replica is
     * empty, and returns the routes as they were. Inputs still on their way through a withdrawn
     * route fail with NO_ROUTE; a placement under way for it (a repair, a slice moving) is dropped.
     * ClientException NO_ROUTE when there is no such route.
     */
    public List<Message.Route> undeployRoute(String modelHash, java.util.OptionalInt replica, Duration timeout) {
        Message.UndeployRoute u = replica.isPresent() ? Message.UndeployRoute.of(modelHash, replica.getAsInt()) : Message.UndeployRoute.every(modelHash);
        long deadline = System.nanoTime() + timeout.toNanos();
        send(u); // once: sent again after a withdrawal, it would be answered NO_ROUTE
        while (true) {
            Message m = receive(deadline, "withdrawal of the route");
            if (m != null) {
                return expect(m, Message.Routes.class).routes();
            }
        }
    }

    /** The broker's Metric Table. */
    public List<Message.AgentRow> agents(Duration timeout) {
        return request(new Message.ListAgents(), Message.Agents.class, System.nanoTime() + timeout.toNanos()).agents();
    }

    /**
     * Has every agent profile an uploaded model on its own hardware (PROFILE to its data endpoint;
     * the agent fetches the model from the broker if it lacks it). Agents on one host take turns so
     * their measurements do not disturb each other. Fails with the first agent's FAILED.
     *
     * @param inputShapes the shape of every model input, by name: all agents then profile the same cut positions
     * @param runs        timed runs per segment (1 to 100)
     */
    public List<AgentProfile> profile(List<Message.AgentRow> agents, String modelHash, long modelSize, Map<String, long[]> inputShapes,
                                      int runs, Duration timeout, Consumer<MeasureProgress> progress) {
        List<Message.InputShape> shapes = new ArrayList<>();
        inputShapes.forEach((name, dims) -> shapes.add(new Message.InputShape(name, Arrays.stream(dims).boxed().toList())));
        Message.ProfileRequest template = new Message.ProfileRequest(Message.NO_TASK, modelHash, modelSize, runs, shapes);
        return new ProfileSession(context, agents, template, progress).run(System.nanoTime() + timeout.toNanos());
    }

    /**
     * Measures, one at a time, the links from this client to every agent and back, and between
     * every ordered pair of agents, with probes of up to {@code probeBytes} (at most 16 MiB). The
     * client appears in the results under {@code clientName}.
     */
    public List<LinkSpeed> measureLinks(List<Message.AgentRow> agents, String clientName, int probeBytes, Duration timeout,
                                        Consumer<MeasureProgress> progress) {
        return new LinkSession(context, agents, clientName, probeBytes, progress).run(System.nanoTime() + timeout.toNanos());
    }

    // ---- socket plumbing, used by this class and TaskSession ---------------------------------

    void send(Message m) {
        Wire.send(socket, null, Codec.encode(m), false);
    }

    /** The next message, or null if none arrives within the retry interval or before the deadline. */
    Message receive(long deadlineNanos, String what) {
        long wait = Math.min(RETRY_INTERVAL.toNanos(), deadlineNanos - System.nanoTime());
        if (wait <= 0) {
            throw new ClientException(null, "no answer from the broker at " + endpoint + " for " + what);
        }
        return receiveWithin((int) Math.max(1, wait / 1_000_000));
    }

    /** The next message, or null if none arrives within the given milliseconds. */
    Message receiveWithin(int millis) {
        socket.setReceiveTimeOut(millis);
        List<ByteBuffer> frames = Wire.receive(socket, 0);
        if (frames == null) {
            return null;
        }
        try {
            return Codec.decode(frames);
        } catch (ProtocolException e) {
            log.warn("ignoring a malformed message from the broker: {}", e.getMessage());
            return null;
        }
    }

    private <T extends Message> T request(Message m, Class<T> type, long deadlineNanos) {
        while (true) {
            send(m);
            Message answer = receive(deadlineNanos, m.command().name());
            if (answer != null) {
                return expect(answer, type);
            }
        }
    }

    private static <T extends Message> T expect(Message m, Class<T> type) {
        if (m instanceof Message.Failed f) {
            throw new ClientException(f.code(), f.message());
        }
        if (!type.isInstance(m)) {
            throw new ClientException(ErrorCode.UNEXPECTED, "expected " + type.getSimpleName() + " from the broker, got " + m.command());
        }
        return type.cast(m);
    }

    @Override
    public void close() {
        context.close();
    }
}
