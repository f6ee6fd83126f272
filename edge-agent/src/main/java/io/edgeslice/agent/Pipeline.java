package io.edgeslice.agent;

import io.edgeslice.protocol.BufferPool;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.protocol.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * This agent's part in sliced inference, on the control thread: it accepts activations for the
 * slices it hosts (checking route epoch, position and checksum, dropping duplicates), runs them on
 * the workers, and sends each output on to the next stage, keeping it until that stage
 * acknowledges it, or sends the final result straight to the client. A new route epoch (a stage
 * moved) makes it resend what is not yet acknowledged.
 *
 * <p>To a next stage on this machine ({@link SharedMemoryLinks}) outputs go through shared memory
 * when this process has it enabled: the activation names
 * the segments the outputs are in, and the receiver acknowledges it only once its run has read
 * them, so the buffers are not reused before. A peer that cannot open the segments (another
 * container) answers SHARED_MEMORY, and outputs go to it inline from then on.
 */
final class Pipeline {
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
    /** Unacknowledged activations are sent again after this long (lost, or refused for an epoch not yet known). */
    static final long RESEND_NANOS = 2_000_000_000L;
    /** Activation bytes in flight to one peer before further outputs wait for acknowledgements (credit). */
    static final long PEER_CREDIT_BYTES = 64L << 20;
    /** A socket whose peer is gone dials it again after 100 ms, then backs off to this. */
    private static final int PEER_RECONNECT_MAX_MS = 1000;
    private static final int SEEN_LIMIT = 20_000;

    /** A model's route number {@code replica}. */
    private record RouteKey(String modelHash, int replica) {
        static RouteKey of(Message.Route r) {
            return new RouteKey(r.modelHash(), r.replica());
        }

        static RouteKey of(Message.Activation a) {
            return new RouteKey(a.modelHash(), a.replica());
        }
    }

    private record InKey(UUID taskId, int attempt, int start) {
    }

    private record OutKey(UUID taskId, int attempt, int end) {
    }

    /** An output kept until the next stage acknowledges it. */
    private static final class Outgoing {
        final Message.Activation activation;
        final long bytes;
        String endpoint;
        long sentNanos;
        boolean sent;
        /** Sent by reference to shared memory (last time): acknowledged only once the receiver's run has read it. */
        boolean shared;
        /** Every peer it was sent to by reference: its buffers are reused only if the one that acknowledged it is the only one. */
        final Set<String> sharedTo = new HashSet<>(2);

        Outgoing(Message.Activation activation) {
            this.activation = activation;
            this.bytes = activation.tensors().stream().mapToLong(t -> t.byteSize()).sum();
        }
    }

    /**
     * A slice run in progress: what came in, for which stage; discarded if the input fails its
     * checksum. An input read from the sender's shared memory is acknowledged when the run ends.
     */
    private static final class Job {
        final Message.Activation in;
        final Message.Stage stage;
        final TaskJob job;
        boolean discarded;
        ZMQ.Socket ackVia;
        byte[] ackTo;

        Job(Message.Activation in, Message.Stage stage, TaskJob job) {
            this.in = in;
            this.stage = stage;
            this.job = job;
        }
    }

    private final String agentName;
    private final ZContext ctx;
    private final ModelCache cache;
    private final Workers workers;
    private final ModelFetcher fetcher;
    private final Runnable onReject;
    private final Map<RouteKey, Message.Route> routes = new HashMap<>();
    /** Routes the broker sent since this agent last registered. */
    private final Set<RouteKey> confirmed = new HashSet<>();
    private final Map<String, ZMQ.Socket> peers = new HashMap<>();
    /** When each peer's socket last carried something, as of the last {@link #closeIdlePeers} (those used since are in peersUsed). */
    private final Map<String, Long> peerLastUsed = new HashMap<>();
    private final Set<String> peersUsed = new HashSet<>();
    private final long peerIdleNanos;
    private final Map<OutKey, Outgoing> unacked = new LinkedHashMap<>();
    private final Map<String, Long> inflightBytes = new HashMap<>();
    private final SharedMemoryLinks sharedLinks = new SharedMemoryLinks();
    private final Map<TaskJob.Key, Job> jobs = new HashMap<>();
    private final Map<InKey, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InKey, Boolean> e) {
            return size() > SEEN_LIMIT;
        }
    };
    private int localAttempt = -1;
    private boolean peersChanged;

    Pipeline(String agentName, ZContext ctx, ModelCache cache, Workers workers, ModelFetcher fetcher, Runnable onReject, Duration peerIdle) {
        this.agentName = agentName;
        this.peerIdleNanos = peerIdle.toNanos();
        this.ctx = ctx;
        this.cache = cache;
        this.workers = workers;
        this.fetcher = fetcher;
        this.onReject = onReject;
    }

    /** This agent registered with the broker (again): routes it holds are current only once the broker sends them again. */
    void onRegistered() {
        confirmed.clear();
    }

    /**
     * The broker published a route; a newer epoch replaces the old and redirects what waits for an
     * ACK. A route the broker has not sent since this agent last registered is replaced whatever
     * its epoch: a broker that restarted without it numbers it afresh. A route without stages was
     * withdrawn: it is forgotten, and what waits for an ACK on it fails at its client.
     */
    void onRoute(Message.Route r, long now) {
        RouteKey key = RouteKey.of(r);
        Message.Route current = routes.get(key);
        boolean sentBefore = !confirmed.add(key);
        if (current != null && (current.equals(r) || sentBefore && current.epoch() >= r.epoch())) {
            return;
        }
        if (r.stages().isEmpty()) {
            withdraw(key, r.epoch());
            return;
        }
        routes.put(key, r);
        log.info("route {} of model {} epoch {}: {}", r.replica(), Hashing.shortHash(r.modelHash()), r.epoch(), r.stages().stream()
                .map(s -> s.start() + "-" + s.end() + "@" + s.agent()).toList());
        for (Message.Stage st : r.stages()) {
            if (st.agent().equals(agentName)) {
                fetcher.prefetch(st.sliceHash(), st.sliceSize(), now);
            }
        }
        for (Outgoing o : unacked.values()) {
            if (RouteKey.of(o.activation).equals(key)) {
                o.sentNanos = now - RESEND_NANOS; // resend on this turn, under the new epoch
            }
        }
        resend(now);
    }

    private void withdraw(RouteKey key, long epoch) {
        routes.remove(key);
        log.info("route {} of model {} withdrawn (epoch {})", key.replica(), Hashing.shortHash(key.modelHash()), epoch);
        dropUnacked(o -> RouteKey.of(o.activation).equals(key), Pipeline::withdrawn);
    }

    /** Gives up the outputs waiting for an ACK that match, and tells each one's client why. */
    private void dropUnacked(Predicate<Outgoing> which, Function<Message.Activation, Message.Failed> why) {
        for (var it = unacked.values().iterator(); it.hasNext(); ) {
            Outgoing o = it.next();
            if (which.test(o)) {
                it.remove();
                if (o.sent) { // the socket may still be reading its buffers: the collector frees them
                    returnCredit(o);
                } else {
                    BufferPool.SHARED.release(o.activation.tensors());
                }
                toClient(o.activation.replyTo(), why.apply(o.activation));
            }
        }
    }

    /** The link's credit back for an output that was sent and is no longer in flight. */
    private void returnCredit(Outgoing o) {
        if (o.sent) {
            inflightBytes.merge(o.endpoint, -o.bytes, Long::sum);
            o.sent = false;
        }
    }

    /** An activation from an upstream stage or a client, on the data ROUTER. */
    void onActivation(ZMQ.Socket data, byte[] sender, Message.Activation a, long now) {
        Message.Route route = routes.get(RouteKey.of(a));
        Message.Stage stage = route == null ? null : route.stages().stream()
                .filter(s -> s.start() == a.end() && s.agent().equals(agentName)).findFirst().orElse(null);
        String refusal = route == null ? "agent " + agentName + " knows no route " + a.replica() + " for model " + a.modelHash()
                : a.epoch() != route.epoch() ? "activation of route epoch " + a.epoch() + ", but the current epoch is " + route.epoch()
                : stage == null ? "agent " + agentName + " hosts no slice of model " + Hashing.shortHash(a.modelHash()) + " starting at position " + a.end()
                : null;
        if (refusal != null) {
            BufferPool.SHARED.release(a.tensors());
            reject(data, sender, a, ErrorCode.WRONG_ROUTE, refusal);
            return;
        }
        InKey key = new InKey(a.taskId(), a.attempt(), a.end());
        boolean duplicate = seen.containsKey(key);
        boolean shared = a.transport() == Transport.SHARED; // acknowledged once the run has read the sender's memory
        Job started = null;
        if (!duplicate && cache.contains(stage.sliceHash())) {
            // the run starts first and the checksum is verified while it runs (the worker is on another core):
            // the check costs no latency, and a run on a corrupt input is discarded
            seen.put(key, Boolean.TRUE);
            started = start(a, stage);
            workers.submit(started.job);
        }
        if (Codec.tensorsCrc(a.tensors()) != a.crc32c()) {
            if (started != null) {
                started.discarded = true;
                seen.remove(key); // an intact resend must run
            } else {
                BufferPool.SHARED.release(a.tensors());
            }
            reject(data, sender, a, ErrorCode.CHECKSUM, "activation of task " + a.taskId() + " fails its CRC32C");
            return;
        }
        if (duplicate) {
            BufferPool.SHARED.release(a.tensors()); // acknowledged again, not run again
            Job running = shared ? runOf(key) : null;
            if (running != null) {
                running.ackVia = data; // acknowledged when it ends, to whoever sent it last
                running.ackTo = sender;
            } else {
                Wire.send(data, sender, new Message.Ack(a.taskId(), a.attempt(), a.end()), true);
            }
            return;
        }
        if (started == null) {
            seen.put(key, Boolean.TRUE);
            started = start(a, stage);
            fetcher.need(started.job, now); // slices not deployed here yet are fetched on demand
        }
        if (shared) {
            started.ackVia = data;
            started.ackTo = sender;
        } else {
            Wire.send(data, sender, new Message.Ack(a.taskId(), a.attempt(), a.end()), true);
        }
    }

    /** The run of this input, if it has not ended yet. */
    private Job runOf(InKey key) {
        for (Job j : jobs.values()) {
            if (j.in.taskId().equals(key.taskId()) && j.in.attempt() == key.attempt() && j.in.end() == key.start() && !j.discarded) {
                return j;
            }
        }
        return null;
    }

    /** Registers the run of {@code stage} on this activation, to be submitted or to wait for its slice. */
    private Job start(Message.Activation a, Message.Stage stage) {
        Message.Task t = new Message.Task(a.taskId(), localAttempt--, stage.sliceHash(), stage.sliceSize(), 0, a.tensors());
        Message.Route route = routes.get(RouteKey.of(a));
        // the last stage's outputs go inline in a RESULT, which carries no checksum
        Job job = new Job(a, stage, TaskJob.sliceRun(t, stage.end() != lastPosition(route)));
        jobs.put(job.job.key(), job);
        return job;
    }

    private static Message.Failed withdrawn(Message.Activation a) {
        return new Message.Failed(a.taskId(), a.attempt(), ErrorCode.NO_ROUTE, "route " + a.replica() + " of model " + Hashing.shortHash(a.modelHash())
                + " was withdrawn");
    }

    private void reject(ZMQ.Socket data, byte[] sender, Message.Activation a, ErrorCode code, String why) {
        log.warn("refusing activation of task {} from position {}: {}", a.taskId(), a.end(), why);
        onReject.run();
        Wire.send(data, sender, new Message.Failed(a.taskId(), a.attempt(), code, why), true);
    }

    /** Whether this worker outcome belongs to a slice run (and was handled here). */
    boolean onOutcome(Message m, int outputsCrc, long now) {
        TaskJob.Key key = m instanceof Message.Result r ? new TaskJob.Key(r.taskId(), r.attempt())
                : m instanceof Message.Failed f ? new TaskJob.Key(f.taskId(), f.attempt()) : null;
        Job job = key == null ? null : jobs.remove(key);
        if (job == null) {
            return false;
        }
        Message.Activation in = job.in;
        if (job.discarded) {
            log.debug("discarding the run of task {} on an input that failed its checksum", in.taskId());
        } else {
            forward(job, m, outputsCrc, now); // first: the rest is not on the request's path
            if (job.ackTo != null) { // the sender may reuse the shared memory it sent
                Wire.send(job.ackVia, job.ackTo, new Message.Ack(in.taskId(), in.attempt(), in.end()), true);
            }
        }
        // the run is over and its input's checksum was checked on an earlier turn: nothing reads the input any more
        BufferPool.SHARED.release(in.tensors());
        return true;
    }

    /** A run's output to the next stage, or its result or failure to the client. */
    private void forward(Job job, Message m, int outputsCrc, long now) {
        Message.Activation in = job.in;
        Message.Route route = routes.get(RouteKey.of(in));
        if (route == null) { // withdrawn while it ran
            toClient(in.replyTo(), withdrawn(in));
            return;
        }
        if (m instanceof Message.Failed f) {
            toClient(in.replyTo(), new Message.Failed(in.taskId(), in.attempt(), f.code(),
                    agentName + " slice " + job.stage.start() + "-" + job.stage.end() + ": " + f.message()));
            return;
        }
        Message.Result r = (Message.Result) m;
        if (job.stage.end() == lastPosition(route)) {
            toClient(in.replyTo(), new Message.Result(in.taskId(), in.attempt(), agentName, in.computeMicros() + r.computeMicros(), r.outputs()));
            return;
        }
        Message.Activation out = new Message.Activation(in.taskId(), in.attempt(), route.epoch(), in.modelHash(), in.replica(), job.stage.start(),
                job.stage.end(), in.replyTo(), outputsCrc, route.transport(), in.computeMicros() + r.computeMicros(), r.outputs());
        unacked.put(new OutKey(in.taskId(), in.attempt(), job.stage.end()), new Outgoing(out));
        resend(now);
    }

    private static int lastPosition(Message.Route route) {
        return route.stages().get(route.stages().size() - 1).end();
    }

    /** Reads acknowledgements and refusals from the next stages. */
    void drainPeers(long now) {
        for (Map.Entry<String, ZMQ.Socket> peer : peers.entrySet()) {
            ZMQ.Socket s = peer.getValue();
            for (Message m; (m = Wire.nextMessage(s, false, e -> log.warn("malformed message from a peer: {}", e.getMessage()))) != null; ) {
                peersUsed.add(peer.getKey());
                if (m instanceof Message.Ack ack) {
                    Outgoing o = unacked.remove(new OutKey(ack.taskId(), ack.attempt(), ack.end()));
                    if (o == null) {
                        // a second ACK of a resent activation, or a peer confused about our tasks: nothing to release
                        log.debug("ACK for task {} attempt {} at position {}, which waits for no acknowledgement here", ack.taskId(),
                                ack.attempt(), ack.end());
                    } else { // the next stage has all of it: the output's buffers may be reused
                        if (o.shared) {
                            sharedLinks.confirmed(o.endpoint);
                        }
                        returnCredit(o);
                        // a stage the route left may still be reading them: then the collector frees them instead
                        if (o.sharedTo.isEmpty() || o.sharedTo.equals(Set.of(peer.getKey()))) {
                            BufferPool.SHARED.release(o.activation.tensors());
                        }
                    }
                } else if (m instanceof Message.Failed f && f.code() == ErrorCode.SHARED_MEMORY) {
                    sendInline(peer.getKey(), f.message(), now);
                } else if (m instanceof Message.Failed f) {
                    onPeerRefusal(f);
                }
            }
        }
    }

    /** A peer on this machine cannot open this process's segments (another container): what waits for it goes again, inline. */
    private void sendInline(String endpoint, String why, long now) {
        sharedLinks.refused(endpoint, why);
        for (Outgoing o : unacked.values()) {
            if (o.shared && endpoint.equals(o.endpoint)) {
                o.sentNanos = now - RESEND_NANOS;
            }
        }
    }

    private void onPeerRefusal(Message.Failed f) {
        log.warn("next stage refused task {}: {} {}", f.taskId(), f.code(), f.message());
        if (f.code() == ErrorCode.WRONG_ROUTE || f.code() == ErrorCode.CHECKSUM) {
            return; // kept: sent again under the next route, or after the resend interval
        }
        dropUnacked(o -> o.activation.taskId().equals(f.taskId()) && o.activation.attempt() == f.attempt(), a -> f);
    }

    /** Sends what waits for credit and what was not acknowledged in time, under the current route. */
    void resend(long now) {
        for (Outgoing o : unacked.values()) {
            if (o.sent && now - o.sentNanos < RESEND_NANOS) {
                continue;
            }
            Message.Activation a = o.activation;
            Message.Route route = routes.get(RouteKey.of(a));
            Message.Stage next = route.stages().stream().filter(s -> s.start() == a.end()).findFirst().orElse(null);
            if (next == null) {
                continue;
            }
            returnCredit(o);
            if (inflightBytes.getOrDefault(next.dataEndpoint(), 0L) + o.bytes > PEER_CREDIT_BYTES && inflightBytes.getOrDefault(next.dataEndpoint(), 0L) > 0) {
                continue; // no credit left on this link: wait for acknowledgements
            }
            boolean shared = sharedLinks.byReference(next.dataEndpoint(), a.tensors());
            Message.Activation current = new Message.Activation(a.taskId(), a.attempt(), route.epoch(), a.modelHash(), a.replica(), a.start(), a.end(),
                    a.replyTo(), a.crc32c(), shared ? Transport.SHARED : route.transport(), a.computeMicros(), a.tensors());
            if (Wire.send(peer(next.dataEndpoint()), null, current, true)) {
                o.endpoint = next.dataEndpoint();
                o.shared = shared;
                if (shared) {
                    o.sharedTo.add(o.endpoint);
                }
                o.sent = true;
                o.sentNanos = now;
                inflightBytes.merge(o.endpoint, o.bytes, Long::sum);
            }
        }
    }

    private void toClient(String endpoint, Message m) {
        if (endpoint.isEmpty() || !Wire.send(peer(endpoint), null, m, true)) {
            log.warn("cannot send {} for task to client {}", m.command(), endpoint);
        }
    }

    private ZMQ.Socket peer(String endpoint) {
        peersUsed.add(endpoint);
        return peers.computeIfAbsent(endpoint, e -> {
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setHandshakeIvl(AgentConfig.PEER_HANDSHAKE_MILLIS); // a stalled handshake is retried, see PEER_IDLE_MIN
            s.setSndHWM(1000);
            s.setReconnectIVLMax(PEER_RECONNECT_MAX_MS);
            s.connect(e);
            peersChanged = true;
            return s;
        });
    }

    /**
     * Closes the sockets to next stages and clients that carried nothing for the idle time and wait
     * for no acknowledgement: every client session binds an endpoint of its own, and a route that
     * moved leaves its old next stage behind. Sending there again opens a new socket.
     */
    void closeIdlePeers(long now) {
        peersUsed.forEach(e -> peerLastUsed.put(e, now));
        peersUsed.clear();
        for (var it = peers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ZMQ.Socket> peer = it.next();
            String endpoint = peer.getKey();
            if (now - peerLastUsed.getOrDefault(endpoint, now) < peerIdleNanos
                    || unacked.values().stream().anyMatch(o -> o.sent && endpoint.equals(o.endpoint))) {
                continue;
            }
            ctx.destroySocket(peer.getValue()); // and out of the context's list, which would otherwise keep every closed socket
            it.remove();
            peerLastUsed.remove(endpoint);
            inflightBytes.remove(endpoint, 0L);
            peersChanged = true;
            log.debug("closed the idle data socket to {}", endpoint);
        }
    }

    /** Whether a peer socket was opened or closed since the last call: the control thread then polls the new set, so ACKs wake it. */
    boolean takePeersChanged() {
        boolean changed = peersChanged;
        peersChanged = false;
        return changed;
    }

    /** The sockets to next stages and clients, for the control thread's poller (it only reads them through {@link #drainPeers}). */
    java.util.Collection<ZMQ.Socket> peerSockets() {
        return peers.values();
    }

    /** Whether a slice run waits for or uses this model, or this agent hosts it in a current route. */
    boolean needs(String hash) {
        return jobs.values().stream().anyMatch(j -> j.stage.sliceHash().equals(hash))
                || routes.values().stream().anyMatch(r -> r.stages().stream().anyMatch(s -> s.agent().equals(agentName) && s.sliceHash().equals(hash)));
    }

    int pending() {
        return unacked.size() + jobs.size();
    }

    void close() {
        peers.values().forEach(ZMQ.Socket::close);
        peers.clear();
    }

    List<String> routeSummary() {
        List<String> out = new ArrayList<>();
        routes.values().forEach(r -> out.add(Hashing.shortHash(r.modelHash()) + "/" + r.replica() + "@" + r.epoch()));
        return out;
    }
}
