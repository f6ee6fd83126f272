package io.edgeslice.client;

import io.edgeslice.protocol.BufferPool;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hosts;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.SocketPoller;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Transport;
import io.edgeslice.protocol.Wire;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One {@link EdgeSliceClient#runPipeline} call: sends each input as an activation straight to the
 * first stage of one of the model's routes (the replica with the fewest requests in flight) and
 * takes the result from the last stage on a data endpoint of its own; the broker is only asked for
 * the routes. It keeps every input until its result arrives: an input not acknowledged is sent
 * again, and when its route changes or a result is overdue the input goes again as a new attempt
 * (the first stage may have died with it). Exactly one outcome per task.
 */
final class PipelineSession {
    private static final Logger log = LoggerFactory.getLogger(PipelineSession.class);
    private static final long ACK_TIMEOUT_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long ROUTE_CHECK_NANOS = Duration.ofSeconds(1).toNanos();
    /** A route query unanswered this long is asked again; the requests meanwhile keep to the routes known. */
    private static final long ROUTE_ANSWER_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long RESULT_OVERDUE_NANOS = Duration.ofSeconds(15).toNanos();
    private static final int POLL_MS = 20;

    private static final class Pending {
        final TaskRequest request;
        final long firstSent = System.nanoTime();
        /**
         * The request's inputs in pooled direct buffers (shared memory, if this process has it) and
         * their checksum, made once for every attempt; the buffers go back to the pool with the outcome.
         */
        final List<Tensor> inputs;
        final int crc;
        Lane lane;
        long lastSent;
        int attempt;
        boolean acked;

        Pending(TaskRequest request) {
            this.request = request;
            this.inputs = request.inputs().stream().map(t -> BufferPool.SHARED.newTensor(t.name(), t.dtype(), t.shape(), true, t)).toList();
            this.crc = Codec.tensorsCrc(inputs);
        }
    }

    /** One replica of the model's route and the socket to its first stage. */
    private static final class Lane {
        Message.Route route;
        ZMQ.Socket first;
        String firstEndpoint;
        int inflight;
        /** Inputs go to the first stage by reference to shared memory: it is on this machine and has not refused. */
        boolean shared;

        Lane(Message.Route route) {
            this.route = route;
        }
    }

    private final EdgeSliceClient client;
    private final ZContext ctx;
    private final String modelHash;
    private final Deque<TaskRequest> waiting;
    private final int concurrency;
    private final long deadline;
    private final Map<UUID, Pending> inflight = new LinkedHashMap<>();
    private final Map<Integer, Lane> lanes = new TreeMap<>();
    private final OutcomeBook outcomes;
    private ZMQ.Socket results;
    private String replyTo;
    private long nextRouteCheck;
    /** A socket of this session's own for route queries: answers it never took die with it, not in the client's. */
    private ZMQ.Socket routeQueries;
    /** When the route query waiting for its answer was sent, or 0 when none waits. */
    private long routeQuerySent;
    private boolean brokerSilent;

    PipelineSession(EdgeSliceClient client, ZContext ctx, String modelHash, List<Message.Route> replicas, List<TaskRequest> requests,
                    int concurrency, Duration timeout, Consumer<TaskOutcome> onOutcome) {
        this.client = client;
        this.ctx = ctx;
        this.modelHash = modelHash;
        replicas.forEach(r -> lanes.put(r.replica(), new Lane(r)));
        this.waiting = new ArrayDeque<>(requests);
        this.concurrency = concurrency;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.outcomes = new OutcomeBook(requests, onOutcome);
    }

    List<TaskOutcome> run() {
        results = ctx.createSocket(SocketType.ROUTER);
        results.setLinger(0);
        results.setRcvHWM(100_000);
        Wire.receiveTensorsDirect(results);
        int port = results.bindToRandomPort("tcp://*");
        replyTo = "tcp://" + Hosts.advertised(null, client.endpoint()) + ":" + port;
        try {
            loop();
        } finally {
            results.close();
            lanes.values().stream().filter(l -> l.first != null).forEach(l -> l.first.close());
            if (routeQueries != null) {
                routeQueries.close();
            }
        }
        return outcomes.finish();
    }

    private void loop() {
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(results);
            lanes.values().forEach(this::connectFirstStage);
            while ((!waiting.isEmpty() || !inflight.isEmpty()) && System.nanoTime() - deadline < 0) {
                while (inflight.size() < concurrency && !waiting.isEmpty()) {
                    Pending p = new Pending(waiting.poll());
                    inflight.put(p.request.id(), p);
                    p.lane = leastBusy();
                    p.lane.inflight++;
                    send(p, false);
                }
                poller.poll(POLL_MS);
                drain(results, null);
                lanes.values().forEach(l -> drain(l.first, l));
                long now = System.nanoTime();
                for (Pending p : new ArrayList<>(inflight.values())) {
                    if (!p.acked && now - p.lastSent > ACK_TIMEOUT_NANOS || now - p.lastSent > RESULT_OVERDUE_NANOS) {
                        send(p, p.acked); // unacknowledged: same attempt; overdue: a new one
                    }
                }
                takeRouteAnswers();
                if (now - nextRouteCheck > 0 && !inflight.isEmpty()) {
                    askRoutes(now);
                    nextRouteCheck = now + ROUTE_CHECK_NANOS;
                }
            }
        }
        for (Pending p : new ArrayList<>(inflight.values())) {
            complete(p, new TaskOutcome(p.request.id(), TaskOutcome.Status.TIMEOUT, null, p.attempt, elapsed(p), 0, List.of(),
                    ErrorCode.INTERNAL, "no result before the timeout"));
        }
    }

    private Lane leastBusy() {
        Lane best = null;
        for (Lane l : lanes.values()) {
            if (best == null || l.inflight < best.inflight) {
                best = l;
            }
        }
        return best;
    }

    private void connectFirstStage(Lane lane) {
        String endpoint = lane.route.stages().get(0).dataEndpoint();
        if (endpoint.equals(lane.firstEndpoint)) {
            return;
        }
        if (lane.first != null) {
            lane.first.close();
        }
        lane.first = ctx.createSocket(SocketType.DEALER);
        lane.first.setLinger(0);
        lane.first.setHandshakeIvl(2000);
        lane.first.setSndHWM(100_000);
        lane.first.connect(endpoint);
        lane.firstEndpoint = endpoint;
        lane.shared = SharedMemory.enabled() && Hosts.isLocal(endpoint);
    }

    /**
     * Asks the broker for the model's routes without waiting: the data plane does not need the
     * broker, so requests keep flowing on the routes known while it is slow or gone (Lazy Pirate:
     * a query unanswered for a while is sent again).
     */
    private void askRoutes(long now) {
        if (routeQuerySent != 0 && now - routeQuerySent < ROUTE_ANSWER_NANOS) {
            return; // the last query is still waiting for its answer
        }
        if (routeQuerySent != 0 && !brokerSilent) {
            brokerSilent = true;
            log.warn("the broker at {} does not answer route queries; requests keep to the routes known", client.endpoint());
        }
        if (routeQueries == null) {
            routeQueries = ctx.createSocket(SocketType.DEALER);
            routeQueries.setLinger(0);
            routeQueries.setHandshakeIvl(2000);
            routeQueries.connect(client.endpoint());
        }
        Wire.send(routeQueries, null, new Message.RouteQuery(modelHash), true);
        routeQuerySent = now;
    }

    /** Applies the answers to route queries that have arrived. */
    private void takeRouteAnswers() {
        for (Message m; routeQueries != null && (m = next(routeQueries, false)) != null; ) {
            if (m instanceof Message.Routes r) {
                answered();
                applyRoutes(r.routes().stream().filter(route -> route.modelHash().equals(modelHash)).toList());
            } else if (m instanceof Message.Failed f && f.code() == ErrorCode.NO_ROUTE) {
                answered();
                applyRoutes(List.of()); // every route was withdrawn
            } else {
                log.debug("ignoring {} from the broker while waiting for routes", m.command());
            }
        }
    }

    private void answered() {
        routeQuerySent = 0;
        if (brokerSilent) {
            brokerSilent = false;
            log.info("the broker at {} answers route queries again", client.endpoint());
        }
    }

    /**
     * The broker moved a stage of a replica: inputs that may have died with its old first stage go
     * again. Replicas deployed meanwhile join; the poller only watches the replicas known at the
     * start, so a new replica's acknowledgements are read on the next drain. (A broker restarted
     * without its store numbers routes afresh: any other epoch is news.)
     */
    private void applyRoutes(List<Message.Route> routes) {
        dropWithdrawnLanes(routes);
        for (Message.Route latest : routes) {
            Lane lane = lanes.get(latest.replica());
            if (lane == null) {
                lane = new Lane(latest);
                lanes.put(latest.replica(), lane);
                connectFirstStage(lane);
                continue;
            }
            if (latest.epoch() == lane.route.epoch()) {
                continue;
            }
            boolean firstMoved = !latest.stages().get(0).dataEndpoint().equals(lane.firstEndpoint);
            log.info("route {} of model {} is now epoch {}{}", latest.replica(), modelHash.substring(0, 12), latest.epoch(),
                    firstMoved ? " (first stage moved)" : "");
            lane.route = latest;
            connectFirstStage(lane);
            for (Pending p : inflight.values()) {
                if (p.lane == lane && (firstMoved || !p.acked)) {
                    send(p, true);
                }
            }
        }
    }

    /**
     * Replicas that are no longer deployed: their inputs go to the replicas left, or, when none is
     * left, every input not answered yet fails with NO_ROUTE.
     */
    private void dropWithdrawnLanes(List<Message.Route> routes) {
        List<Lane> gone = new ArrayList<>();
        lanes.values().removeIf(l -> {
            boolean withdrawn = routes.stream().noneMatch(r -> r.replica() == l.route.replica());
            if (withdrawn) {
                gone.add(l);
            }
            return withdrawn;
        });
        if (gone.isEmpty()) {
            return;
        }
        log.info("model {}: {} withdrawn", modelHash.substring(0, 12), gone.stream().map(l -> "route " + l.route.replica()).toList());
        String noRoute = "no route is deployed for model " + modelHash + " any more";
        for (Pending p : new ArrayList<>(inflight.values())) {
            if (!gone.contains(p.lane)) {
                continue;
            }
            if (lanes.isEmpty()) {
                complete(p, new TaskOutcome(p.request.id(), TaskOutcome.Status.FAILED, null, p.attempt, elapsed(p), 0, List.of(), ErrorCode.NO_ROUTE,
                        noRoute));
            } else {
                p.lane.inflight--;
                p.lane = leastBusy();
                p.lane.inflight++;
                connectFirstStage(p.lane);
                send(p, true);
            }
        }
        gone.forEach(l -> {
            if (l.first != null) {
                l.first.close();
            }
        });
        if (lanes.isEmpty()) {
            for (TaskRequest r; (r = waiting.poll()) != null; ) {
                outcomes.settle(new TaskOutcome(r.id(), TaskOutcome.Status.FAILED, null, 0, 0, 0, List.of(), ErrorCode.NO_ROUTE, noRoute));
            }
        }
    }

    private void send(Pending p, boolean newAttempt) {
        if (newAttempt || p.attempt == 0) {
            p.attempt++;
        }
        Message.Route route = p.lane.route;
        p.lastSent = System.nanoTime();
        p.acked = false;
        // by reference, the first stage acknowledges once its run has read the inputs: they stay here until the outcome anyway
        boolean shared = p.lane.shared && p.inputs.stream().anyMatch(SharedMemory::inSegment);
        Wire.send(p.lane.first, null, new Message.Activation(p.request.id(), p.attempt, route.epoch(), modelHash, route.replica(), 0, 0, replyTo,
                p.crc, shared ? Transport.SHARED : route.transport(), p.inputs), false);
    }

    /** Reads the results socket (lane null, a ROUTER) or a first stage's socket. */
    private void drain(ZMQ.Socket socket, Lane lane) {
        for (Message m; (m = next(socket, lane == null)) != null; ) {
            if (lane != null && m instanceof Message.Failed f && f.code() == ErrorCode.SHARED_MEMORY) {
                sendInline(lane, f.message());
            } else {
                handle(m);
            }
        }
    }

    /** The next well-formed message waiting on a socket (a ROUTER's without its identity), or null; malformed ones are logged and skipped. */
    private static Message next(ZMQ.Socket socket, boolean router) {
        return Wire.nextMessage(socket, router, e -> log.warn("ignoring a malformed message: {}", e.getMessage()));
    }

    /** The first stage cannot open this process's shared memory (another container): what it has not acknowledged goes again inline. */
    private void sendInline(Lane lane, String why) {
        if (lane.shared) {
            log.info("{} cannot read this machine's shared memory ({}); inputs to it travel inline", lane.firstEndpoint, why);
            lane.shared = false;
        }
        for (Pending p : inflight.values()) {
            if (p.lane == lane && !p.acked) {
                send(p, false);
            }
        }
    }

    private void handle(Message m) {
        if (m instanceof Message.Ack a) {
            Pending p = inflight.get(a.taskId());
            if (p != null && p.attempt == a.attempt()) {
                p.acked = true;
            }
        } else if (m instanceof Message.Result r) {
            Pending p = inflight.get(r.taskId());
            if (p != null) {
                complete(p, new TaskOutcome(r.taskId(), TaskOutcome.Status.OK, r.agent(), r.attempt(), elapsed(p), r.computeMicros(), r.outputs(),
                        null, null));
            }
        } else if (m instanceof Message.Failed f) {
            Pending p = inflight.get(f.taskId());
            if (p == null) {
                return;
            }
            if (f.code() == ErrorCode.WRONG_ROUTE || f.code() == ErrorCode.CHECKSUM || f.code() == ErrorCode.NO_ROUTE) {
                nextRouteCheck = 0; // our route is stale: ask the broker, then send again
                return;
            }
            complete(p, new TaskOutcome(f.taskId(), TaskOutcome.Status.FAILED, null, f.attempt(), elapsed(p), 0, List.of(), f.code(), f.message()));
        }
    }

    private static double elapsed(Pending p) {
        return (System.nanoTime() - p.firstSent) / 1e6;
    }

    private void complete(Pending p, TaskOutcome o) {
        inflight.remove(p.request.id());
        // no stage reads them any more: every run of this input that matters has ended (a stale attempt still
        // queued somewhere may read the buffers reused, but its result is dropped, the task being settled)
        BufferPool.SHARED.release(p.inputs);
        p.lane.inflight--;
        outcomes.settle(o);
    }
}
