package io.edgeslice.agent;

import io.edgeslice.protocol.Hosts;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.SocketPoller;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The control thread: owns the broker DEALER (through {@link BrokerLink}), the PULL that collects
 * the workers' outcomes and the data ROUTER, and polls them with a short timeout. It never runs
 * inference, so heartbeats keep their rhythm however long a model takes.
 */
final class ControlLoop implements Runnable, BrokerLink.Events, ModelFetcher.Listener {
    static final int POLL_MAX_MS = 100;
    /** Messages taken from one socket per turn, so a busy socket cannot starve the others. */
    private static final int DRAIN_LIMIT = 64;
    /** The data ROUTER refuses activations bigger than this before reading them. */
    private static final long DATA_MAX_MESSAGE = 64L << 20;
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

    private final AgentConfig cfg;
    private final ZContext ctx;
    private final ModelCache cache;
    private final Workers workers;
    private final String resultsEndpoint;
    private final long incarnation;
    private final SystemMetrics metrics = new SystemMetrics();
    private final CompletableFuture<String> started = new CompletableFuture<>();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean closing;

    // owned by the control thread
    private final Map<TaskJob.Key, TaskJob> inflight = new LinkedHashMap<>();
    private ZMQ.Socket results;
    private ZMQ.Socket data;
    private BrokerLink link;
    private ModelFetcher fetcher;
    private Pipeline pipeline;
    private Measurements measurements;
    private SocketPoller poller;
    private int brokerItem = -1;
    private int resultsItem;
    private int dataItem;
    private Message.Ready ready;
    private long heartbeatSeq;

    ControlLoop(AgentConfig cfg, ZContext ctx, ModelCache cache, Workers workers, String resultsEndpoint, long incarnation) {
        this.cfg = cfg;
        this.ctx = ctx;
        this.cache = cache;
        this.workers = workers;
        this.resultsEndpoint = resultsEndpoint;
        this.incarnation = incarnation;
    }

    /** Completes with the advertised data endpoint once the sockets are bound. */
    CompletableFuture<String> started() {
        return started;
    }

    /** New tasks are ignored from now on (the broker dispatches them elsewhere). */
    void beginClose() {
        closing = true;
    }

    void stop() {
        running = false;
    }

    long tasksDone() {
        return done.get();
    }

    long tasksFailed() {
        return failed.get();
    }

    @Override
    public void run() {
        try {
            results = ctx.createSocket(SocketType.PULL);
            results.bind(resultsEndpoint);
            data = ctx.createSocket(SocketType.ROUTER);
            data.setLinger(0);
            data.setRouterMandatory(true);
            data.setMaxMsgSize(DATA_MAX_MESSAGE);
            Wire.receiveTensorsDirect(data); // activations go to ONNX Runtime in place
            int port = data.bindToRandomPort("tcp://*");
            String endpoint = "tcp://" + Hosts.advertised(cfg.advertiseHost(), cfg.brokerEndpoint()) + ":" + port;
            ready = new Message.Ready(cfg.name(), incarnation, endpoint, metrics.capabilities(Hosts.hostname(), cfg.slots()));
            link = new BrokerLink(ctx, cfg.brokerEndpoint(), cfg.heartbeatInterval(), this);
            fetcher = new ModelFetcher(cache, link::send, this);
            pipeline = new Pipeline(cfg.name(), ctx, cache, workers, fetcher, failed::incrementAndGet, cfg.peerIdle());
            measurements = new Measurements(cfg, ctx, cache, fetcher);
            fetcher.protect(hash -> pipeline.needs(hash) || inflight.values().stream().anyMatch(j -> j.task().modelHash().equals(hash)));
            link.tick(cfg.clock().getAsLong()); // opens the first socket
            rebuildPoller();
            started.complete(endpoint);
        } catch (RuntimeException e) {
            started.completeExceptionally(e);
            return;
        }
        long pollMs = Math.max(1, Math.min(POLL_MAX_MS, cfg.heartbeatInterval().toMillis() / 4));
        while (running) {
            try {
                turn(pollMs);
            } catch (RuntimeException e) {
                // a bug must not silence the agent: log it and keep serving
                log.error("control loop error", e);
            }
        }
        shutdown();
    }

    private void turn(long pollMs) {
        poller.poll(pollMs);
        long now = cfg.clock().getAsLong();
        if (brokerItem >= 0 && poller.readable(brokerItem)) {
            drainBroker(now);
        }
        if (poller.readable(resultsItem)) {
            drainResults();
        }
        if (poller.readable(dataItem)) {
            drainData(now);
        }
        measurements.tick(now);
        pipeline.drainPeers(now);
        pipeline.resend(now);
        now = cfg.clock().getAsLong();
        pipeline.closeIdlePeers(now);
        if (link.tick(now) | pipeline.takePeersChanged()) {
            rebuildPoller();
        }
        if (link.registered()) { // while the link is down a fetch waits for restartAll, not for a stall
            fetcher.tick(now);
        }
    }

    private void drainBroker(long now) {
        for (int i = 0; i < DRAIN_LIMIT && link.socket() != null; i++) {
            List<ByteBuffer> frames = Wire.receive(link.socket(), ZMQ.DONTWAIT);
            if (frames == null) {
                return;
            }
            link.heard(now);
            Message m;
            try {
                m = Codec.decode(frames);
            } catch (ProtocolException e) {
                log.warn("malformed message from the broker: {}", e.getMessage());
                link.send(new Message.Failed(Message.NO_TASK, 0, e.code(), e.getMessage()));
                continue;
            }
            onBrokerMessage(m, now);
        }
    }

    private void onBrokerMessage(Message m, long now) {
        switch (m.command()) {
            case HEARTBEAT -> {
                // liveness only, counted already
            }
            case TASK -> onTask((Message.Task) m, now);
            case CHUNK -> fetcher.onChunk((Message.Chunk) m, now);
            case ROUTE -> pipeline.onRoute((Message.Route) m, now);
            case DEPLOY -> {
                Message.Deploy d = (Message.Deploy) m;
                log.info("deploying model {} here", Hashing.shortHash(d.modelHash()));
                fetcher.prefetch(d.modelHash(), d.modelSize(), now);
            }
            case FAILED -> {
                Message.Failed f = (Message.Failed) m;
                if (!(f.taskId().equals(Message.NO_TASK) && fetcher.onMissing(f))) {
                    log.warn("the broker reports {} for task {}: {}", f.code(), f.taskId(), f.message());
                }
            }
            case DISCONNECT -> {
                log.info("the broker asks this agent to register again ({})", ((Message.Disconnect) m).reason());
                link.registerAgain();
            }
            default -> {
                log.warn("unexpected {} from the broker", m.command());
                link.send(new Message.Failed(Message.NO_TASK, 0, ErrorCode.UNEXPECTED, "an agent does not handle " + m.command()));
            }
        }
    }

    private void onTask(Message.Task t, long now) {
        if (closing) {
            log.debug("ignoring task {}: the agent is closing", t.taskId());
            return;
        }
        TaskJob job = TaskJob.received(t, now);
        if (inflight.putIfAbsent(job.key(), job) != null) {
            log.debug("ignoring a duplicate of task {} attempt {}", t.taskId(), t.attempt());
            return;
        }
        if (cache.contains(t.modelHash())) {
            workers.submit(job);
        } else {
            fetcher.need(job, now);
        }
    }

    private void drainResults() {
        while (results.base().recv(ZMQ.DONTWAIT) != null) {
            // wake-ups only: the outcomes themselves wait in the workers' queue
        }
        for (Workers.Outcome o; (o = workers.nextOutcome()) != null; ) {
            Message m = o.message();
            if (pipeline.onOutcome(m, o.outputsCrc(), cfg.clock().getAsLong())) {
                continue; // a slice run: its output goes on to the next stage or the client
            }
            account(m);
            link.sendOrKeep(o.frames()); // the frames the worker encoded go out as they are
        }
    }

    private void drainData(long now) {
        for (int i = 0; i < DRAIN_LIMIT; i++) {
            List<ByteBuffer> frames = Wire.receive(data, ZMQ.DONTWAIT);
            if (frames == null) {
                return;
            }
            byte[] identity = new byte[frames.get(0).remaining()];
            frames.get(0).duplicate().get(identity);
            Message m;
            try {
                m = Codec.decode(frames.subList(1, frames.size()));
            } catch (ProtocolException e) {
                if (e.code() == ErrorCode.SHARED_MEMORY) { // not the sender's fault: it sends inline once told
                    log.info("refusing an activation by shared memory: {}", e.getMessage());
                } else {
                    log.warn("malformed message on the data endpoint: {}", e.getMessage());
                    failed.incrementAndGet();
                }
                Wire.send(data, identity, new Message.Failed(Message.NO_TASK, 0, e.code(), e.getMessage()), true);
                continue;
            }
            if (m instanceof Message.Activation a) {
                pipeline.onActivation(data, identity, a, now);
            } else if (!measurements.onData(data, identity, m, now)) {
                log.warn("refusing {} on the data endpoint: it takes ACT, PROFILE, LINK_PROBE and PROBE", m.command());
                failed.incrementAndGet();
                Wire.send(data, identity, new Message.Failed(Message.NO_TASK, 0, ErrorCode.UNEXPECTED,
                        "the data endpoint takes ACT, PROFILE, LINK_PROBE and PROBE, not " + m.command()), true);
            }
        }
    }

    /** A task's outcome leaves the in-flight set and counts, whoever produced it. */
    private void account(Message m) {
        if (m instanceof Message.Result r) {
            inflight.remove(new TaskJob.Key(r.taskId(), r.attempt()));
            done.incrementAndGet();
        } else if (m instanceof Message.Failed f) {
            inflight.remove(new TaskJob.Key(f.taskId(), f.attempt()));
            failed.incrementAndGet();
        }
    }

    @Override
    public void fetched(List<TaskJob> waiting) {
        waiting.forEach(workers::submit);
        link.heartbeatSoon(); // the broker may be waiting for this model to be deployed here
    }

    @Override
    public void failed(String modelHash, List<TaskJob> waiting, ErrorCode code, String message) {
        for (TaskJob job : waiting) {
            Message.Failed f = job.fail(code, message);
            if (pipeline.onOutcome(f, 0, cfg.clock().getAsLong())) {
                continue;
            }
            account(f);
            link.sendOrKeep(Codec.encode(f));
        }
        measurements.modelFailed(modelHash, code, message);
        // the broker may wait for this model to be deployed here: the hash in the text says which
        link.sendOrKeep(Codec.encode(new Message.Failed(Message.NO_TASK, 0, code, "model " + modelHash + " could not be fetched: " + message)));
    }

    @Override
    public Message.Ready ready() {
        return ready;
    }

    @Override
    public Message.Heartbeat heartbeat() {
        List<UUID> ids = inflight.keySet().stream().map(TaskJob.Key::taskId).distinct().toList();
        return metrics.heartbeat(++heartbeatSeq, ids, cache.hashes(), done.get(), failed.get());
    }

    @Override
    public void registered(long nowNanos) {
        log.info("agent {} registered with broker {} (data endpoint {}, {} model(s) cached: {})", cfg.name(), cfg.brokerEndpoint(),
                ready.dataEndpoint(), cache.hashes().size(),
                cache.hashes().stream().map(Hashing::shortHash).toList());
        fetcher.restartAll(nowNanos);
        pipeline.onRegistered(); // the broker sends its routes again: a restarted one may number them afresh
    }

    private void rebuildPoller() {
        if (poller != null) {
            poller.close();
        }
        poller = new SocketPoller();
        resultsItem = poller.register(results);
        dataItem = poller.register(data);
        brokerItem = link.socket() == null ? -1 : poller.register(link.socket());
        // ACKs and refusals from next stages wake the loop; drainPeers reads every peer each turn
        pipeline.peerSockets().forEach(poller::register);
    }

    /** Outcomes that finished while closing still go out, then DISCONNECT. */
    private void shutdown() {
        try {
            drainResults();
            link.close("agent closing");
            fetcher.abortAll();
        } catch (RuntimeException e) {
            log.warn("error while closing the broker link", e);
        } finally {
            poller.close();
            measurements.close();
            pipeline.close();
            results.close();
            data.close();
        }
    }
}
