package io.edgeslice.broker;

import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.broker.store.AgentRecord;
import io.edgeslice.broker.store.AgentState;
import io.edgeslice.broker.store.MetricTable;
import io.edgeslice.broker.store.StoredAgent;
import io.edgeslice.broker.store.StoredTask;
import io.edgeslice.broker.store.TaskRecord;
import io.edgeslice.broker.store.TaskState;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Command;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Everything the broker does, on one thread that owns the control ROUTER: register agents, keep
 * the Metric Table, queue tasks by priority, dispatch them under leases, relay results, serve model
 * bytes. Each incoming command has one handler below, read top to bottom.
 */
final class BrokerLoop {
    private static final Logger log = LoggerFactory.getLogger(BrokerLoop.class);
    static final byte[] DISCONNECT_NOTICE = {(byte) 0xFF, 'E', 'S', '-', 'G', 'O', 'N', 'E'};
    private static final int MAX_DRAIN = 256;
    private static final int DISPATCH_SCAN = 32;
    private static final long FINISHED_RETENTION_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final ZMQ.Socket router;
    private final MetricTable store;
    private final ModelRepository models;
    private final BrokerConfig config;
    private final Ticker ticker;
    private final long heartbeatNanos = Liveness.HEARTBEAT_INTERVAL.toNanos();

    private final Map<String, AgentEntry> agentsByName = new HashMap<>();
    private final Map<String, AgentEntry> agentsByIdentity = new HashMap<>();
    private final Map<UUID, TaskEntry> tasks = new HashMap<>();
    private final TreeSet<TaskEntry> queue = new TreeSet<>(TaskEntry.QUEUE_ORDER);
    private final Set<TaskEntry> running = new HashSet<>();
    private final Deque<TaskEntry> finished = new ArrayDeque<>();
    private long arrivalSeq;
    private long heartbeatSeq;
    private long nextSweep;
    /** When the last turn began: a much longer gap is the loop's own stall, not its peers' silence. */
    private long lastTurnNanos;
    private long nextBrokerHeartbeat;
    final BrokerStats stats = new BrokerStats();
    final EventLog events = new EventLog();
    private final Deployments deployments = new Deployments();
    private final RouteBook routes = new RouteBook();
    private final RoutePlacement placement;

    BrokerLoop(ZMQ.Socket router, MetricTable store, ModelRepository models, BrokerConfig config) {
        this.router = router;
        this.store = store;
        this.models = models;
        this.config = config;
        this.ticker = config.ticker();
        this.placement = new RoutePlacement(routes, agentsByName, models, store, events, this::deploy, this::send, ticker);
        this.lastTurnNanos = ticker.nanos();
        recover();
    }

    /** A broker restarted on a durable store: agents come back as suspect until they heartbeat, tasks re-queue. */
    private void recover() {
        long now = ticker.nanos();
        for (StoredAgent a : store.agents()) {
            AgentEntry e = new AgentEntry(a.agent(), null, now);
            e.state = a.state() == AgentState.LOST ? AgentState.LOST : AgentState.SUSPECT;
            agentsByName.put(a.agent().name(), e);
        }
        for (StoredTask st : store.unfinishedTasks()) {
            TaskRecord r = st.record();
            long left = r.deadlineMs() == 0 ? 0 : Math.max(1, r.deadlineMs() - System.currentTimeMillis());
            TaskEntry t = new TaskEntry(r, Codec.tensorsFromFrames(st.inputFrames()), r.deadlineMs() == 0 ? 0 : now + TimeUnit.MILLISECONDS.toNanos(left));
            t.attempt = st.attempt();
            tasks.put(r.taskId(), t);
            queue.add(t);
            if (st.state() == TaskState.RUNNING) {
                store.taskRequeued(r.taskId());
            }
            arrivalSeq = Math.max(arrivalSeq, r.arrivalSeq() + 1);
        }
        store.routes().forEach(routes::put);
        if (!tasks.isEmpty() || !agentsByName.isEmpty()) {
            log.info("recovered {} agents and {} unfinished tasks from {}", agentsByName.size(), tasks.size(), store.describe());
        }
    }

    /** One turn: drain what arrived, then sweep and dispatch. Returns the poll timeout for the next turn in ms. */
    long turn() {
        long began = ticker.nanos();
        if (began - lastTurnNanos >= Liveness.STALL.toNanos()) {
            forgiveStall(began - lastTurnNanos);
        }
        lastTurnNanos = began;
        for (int i = 0; i < MAX_DRAIN; i++) {
            byte[] identity = router.recv(ZMQ.DONTWAIT);
            if (identity == null) {
                break;
            }
            List<ByteBuffer> frames = router.hasReceiveMore() ? Wire.receive(router, 0) : List.of();
            handle(identity, frames);
        }
        long now = ticker.nanos();
        if (now - nextSweep >= 0) {
            sweep(now);
            placement.retryWaiting();
            nextSweep = now + Liveness.SWEEP_INTERVAL.toNanos();
        }
        dispatch(now);
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSweep - ticker.nanos()));
    }

    // ---- incoming messages -------------------------------------------------------------------

    private void handle(byte[] identity, List<ByteBuffer> frames) {
        if (frames.size() == 1 && frames.get(0).equals(ByteBuffer.wrap(DISCONNECT_NOTICE))) {
            peerDisconnected(identity);
            return;
        }
        UUID taskId = Message.NO_TASK;
        try {
            if (!frames.isEmpty() && Wire.size(frames) > config.maxMessageBytes()) {
                taskId = peekTaskId(frames);
                throw new ProtocolException(ErrorCode.TOO_LARGE, "message of " + Wire.size(frames) + " bytes exceeds the broker's limit of "
                        + config.maxMessageBytes() + " bytes");
            }
            Message m = Codec.decode(frames);
            log.trace("{} from peer {}", m.command(), shortId(identity));
            if (m instanceof Message.Submit s) {
                taskId = s.taskId();
            }
            AgentEntry agent = agentsByIdentity.get(hex(identity));
            if (agent != null) {
                agent.lastSeenNanos = ticker.nanos();
            }
            dispatchMessage(identity, agent, m);
        } catch (ProtocolException e) {
            stats.rejected++;
            log.warn("rejected message from peer {}: {} ({})", shortId(identity), e.getMessage(), e.code());
            send(identity, new Message.Failed(taskId, 0, e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            stats.rejected++;
            log.error("failed to handle a message from peer {}", shortId(identity), e);
            send(identity, new Message.Failed(taskId, 0, ErrorCode.INTERNAL, "broker error: " + e));
        }
    }

    private void dispatchMessage(byte[] identity, AgentEntry agent, Message m) {
        switch (m.command()) {
            case READY -> onReady(identity, (Message.Ready) m);
            case HEARTBEAT -> onHeartbeat(identity, agent, (Message.Heartbeat) m);
            case RESULT -> onResult(requireAgent(agent, m), (Message.Result) m);
            case FAILED -> onAgentFailed(identity, agent, (Message.Failed) m);
            case FETCH -> onFetch(identity, requireAgent(agent, m), (Message.Fetch) m);
            case DISCONNECT -> onAgentDisconnect(agent, (Message.Disconnect) m);
            case SUBMIT -> onSubmit(identity, (Message.Submit) m);
            case QUERY -> onQuery(identity, ((Message.Query) m).taskId());
            case MODEL_OFFER -> onModelOffer(identity, (Message.ModelOffer) m);
            case MODEL_CHUNK -> onModelChunk(identity, (Message.ModelChunk) m);
            case LIST_AGENTS -> send(identity, new Message.Agents(rows()));
            case DEPLOY_ROUTE -> placement.deployRoute(identity, (Message.DeployRoute) m);
            case ROUTE_QUERY -> onRouteQuery(identity, ((Message.RouteQuery) m).modelHash());
            case LIST_ROUTES -> send(identity, new Message.Routes(routes.all()));
            case UNDEPLOY_ROUTE -> {
                Message.UndeployRoute u = (Message.UndeployRoute) m;
                send(identity, new Message.Routes(placement.undeploy(u.modelHash(), u.everyReplica() ? OptionalInt.empty() : OptionalInt.of(u.replica()))));
            }
            default -> throw new ProtocolException(ErrorCode.UNEXPECTED, m.command() + " is not a command the broker accepts");
        }
    }

    private AgentEntry requireAgent(AgentEntry agent, Message m) {
        if (agent == null) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, m.command() + " from a peer that has not sent READY");
        }
        return agent;
    }

    private void onReady(byte[] identity, Message.Ready r) {
        if (r.name().isBlank()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "READY with an empty agent name");
        }
        long now = ticker.nanos();
        Message.Capabilities c = r.capabilities();
        AgentRecord record = new AgentRecord(r.name(), r.incarnation(), r.dataEndpoint(), c.host(), c.arch(), c.os(), c.cores(),
                c.memoryBytes(), c.executionProviders(), c.slots(), c.ortTarget(), System.currentTimeMillis());
        AgentEntry old = agentsByName.get(r.name());
        AgentEntry entry = new AgentEntry(record, identity, now);
        if (old != null) {
            if (old.identity != null) {
                agentsByIdentity.remove(hex(old.identity));
            }
            if (old.record.incarnation() == r.incarnation()) {
                entry.inflight.addAll(old.inflight); // same process reconnected: its tasks still run
            } else {
                requeueAll(old, "agent " + r.name() + " restarted");
            }
        }
        agentsByName.put(r.name(), entry);
        agentsByIdentity.put(hex(identity), entry);
        for (Message.Route route : routes.using(r.name())) {
            send(identity, route); // a restarted agent learns its place in the routes again
        }
        for (String hash : deployments.pendingFor(r.name())) {
            // a DEPLOY sent on the connection it replaced may be lost: the agent fetches once and reports it cached
            send(identity, new Message.Deploy(hash, models.size(hash)));
        }
        store.agentRegistered(record);
        store.agentState(r.name(), AgentState.HEALTHY);
        events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.AGENT_JOINED, r.name(), String.format("agent %s %s (%s %s, %d cores, %d slots, data %s)",
                r.name(), old == null ? "joined" : "registered again", c.host(), c.arch(), c.cores(), c.slots(), r.dataEndpoint()));
    }

    private void onHeartbeat(byte[] identity, AgentEntry agent, Message.Heartbeat h) {
        if (agent == null) {
            // Paranoid Pirate: an unknown peer (e.g. after a broker restart) is told to register again.
            send(identity, new Message.Disconnect("unknown agent: send READY"));
            return;
        }
        long now = ticker.nanos();
        agent.latest = h;
        agent.cachedModels = Set.copyOf(h.cachedModels());
        setState(agent, AgentState.HEALTHY);
        for (String hash : deployments.heartbeat(agent.name(), agent.cachedModels)) {
            events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.DEPLOY_DONE, agent.name(),
                    "model " + io.edgeslice.protocol.Hashing.shortHash(hash) + " deployed on " + agent.name());
        }
        for (UUID id : h.inflightTasks()) {
            TaskEntry t = tasks.get(id);
            if (t != null && t.state == TaskState.RUNNING && agent.name().equals(t.agent)) {
                t.leaseUntilNanos = now + Liveness.LEASE.toNanos();
            }
        }
        store.agentHeartbeat(agent.name(), new AgentMetrics(System.currentTimeMillis(), h.cpuPercent(), h.memoryUsedBytes(),
                h.memoryTotalBytes(), h.loadAverage(), agent.inflight.size(), h.cachedModels(), h.tasksDone(), h.tasksFailed()));
    }

    private void onResult(AgentEntry agent, Message.Result r) {
        TaskEntry t = currentAttempt(agent, r.taskId(), r.attempt());
        if (t == null) {
            return;
        }
        finish(t, new Message.Result(t.record.taskId(), t.attempt, agent.name(), r.computeMicros(), r.outputs()), TaskState.DONE);
        stats.completed++;
    }

    private void onAgentFailed(byte[] identity, AgentEntry agent, Message.Failed f) {
        if (agent == null || f.taskId().equals(Message.NO_TASK)) {
            log.warn("peer {} reports: {} {}", agent == null ? shortId(identity) : agent.name(), f.code(), f.message());
            if (agent != null) {
                failDeployments(agent.name(), f.message(), agent.name() + ": " + f.code() + " " + f.message());
            }
            return;
        }
        TaskEntry t = currentAttempt(agent, f.taskId(), f.attempt());
        if (t == null) {
            return;
        }
        long now = ticker.nanos();
        if (t.expired(now)) {
            finish(t, new Message.Expired(t.record.taskId()), TaskState.EXPIRED);
        } else if (isFinal(f.code())) {
            finish(t, new Message.Failed(t.record.taskId(), t.attempt, f.code(), agent.name() + ": " + f.message()), TaskState.FAILED);
        } else {
            log.warn("task {} attempt {} failed on {}: {} {}; dispatching again", t.record.taskId(), t.attempt, agent.name(), f.code(), f.message());
            requeue(t, f.message());
        }
    }

    /** Failures that another agent would repeat: the task's own fault, not the agent's. */
    private static boolean isFinal(ErrorCode code) {
        return code == ErrorCode.BAD_INPUT || code == ErrorCode.BAD_MODEL || code == ErrorCode.BAD_REQUEST
                || code == ErrorCode.MODEL_MISSING;
    }

    /** The running task this message answers, or null for a stale attempt (fencing). */
    private TaskEntry currentAttempt(AgentEntry agent, UUID taskId, int attempt) {
        TaskEntry t = tasks.get(taskId);
        if (t == null || t.state != TaskState.RUNNING || t.attempt != attempt || !agent.name().equals(t.agent)) {
            log.debug("ignoring stale answer for task {} attempt {} from {}", taskId, attempt, agent.name());
            agent.inflight.remove(taskId);
            return null;
        }
        return t;
    }

    private void onFetch(byte[] identity, AgentEntry agent, Message.Fetch f) {
        send(identity, models.read(f.modelHash(), f.offset(), f.maxLength()));
    }

    private void onAgentDisconnect(AgentEntry agent, Message.Disconnect d) {
        if (agent == null) {
            return;
        }
        events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.AGENT_LEFT, agent.name(), "agent " + agent.name() + " left: " + d.reason());
        loseAgent(agent);
    }

    private void peerDisconnected(byte[] identity) {
        AgentEntry agent = agentsByIdentity.get(hex(identity));
        if (agent != null && agent.state == AgentState.HEALTHY) {
            agent.disconnectedNanos = ticker.nanos();
            events.add(BrokerEvent.Severity.WARNING, BrokerEvent.Kind.AGENT_SUSPECT, agent.name(),
                    "agent " + agent.name() + " closed its connection; suspect");
            setState(agent, AgentState.SUSPECT);
            // a pipeline stalls at a dead stage: move its slices now rather than after the lost timeout
            routes.using(agent.name()).forEach(r -> placement.repair(RouteBook.Key.of(r)));
        }
    }

    private void onSubmit(byte[] identity, Message.Submit s) {
        TaskEntry existing = tasks.get(s.taskId());
        if (existing != null) {
            answerAgain(identity, existing); // a retried submit is idempotent
            return;
        }
        if (s.priority() < 0 || s.priority() > TaskRecord.MAX_PRIORITY) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "priority " + s.priority() + " is outside 0.." + TaskRecord.MAX_PRIORITY);
        }
        if (s.deadlineMs() < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "deadline " + s.deadlineMs() + " ms is negative");
        }
        if (s.inputs().isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_INPUT, "task " + s.taskId() + " carries no input tensors");
        }
        long size = models.size(s.modelHash());
        if (size < 0) {
            throw new ProtocolException(ErrorCode.MODEL_MISSING, "the broker does not hold model " + s.modelHash() + "; upload it first");
        }
        long now = ticker.nanos();
        long wall = System.currentTimeMillis();
        TaskRecord r = new TaskRecord(s.taskId(), identity, s.priority(), wall, arrivalSeq++, s.deadlineMs() == 0 ? 0 : wall + s.deadlineMs(),
                s.modelHash(), size);
        TaskEntry t = new TaskEntry(r, s.inputs(), s.deadlineMs() == 0 ? 0 : now + TimeUnit.MILLISECONDS.toNanos(s.deadlineMs()));
        store.taskQueued(r, Codec.tensorFrames(s.inputs())); // persist, then acknowledge
        tasks.put(r.taskId(), t);
        queue.add(t);
        stats.submitted++;
        send(identity, new Message.Accepted(r.taskId(), queue.size()));
    }

    private void onQuery(byte[] identity, UUID taskId) {
        TaskEntry t = tasks.get(taskId);
        if (t == null) {
            send(identity, new Message.Failed(taskId, 0, ErrorCode.UNKNOWN_TASK, "the broker knows no task " + taskId));
        } else {
            answerAgain(identity, t);
        }
    }

    private void answerAgain(byte[] identity, TaskEntry t) {
        send(identity, t.answer != null ? t.answer : new Message.Accepted(t.record.taskId(), t.state == TaskState.QUEUED ? queue.size() : 0));
    }

    private void onModelOffer(byte[] identity, Message.ModelOffer o) {
        send(identity, models.offer(o.modelHash(), o.size()));
    }

    private void onModelChunk(byte[] identity, Message.ModelChunk c) {
        Message.ModelStatus status = models.chunk(c);
        if (status.complete() && status.receivedBytes() == c.offset() + c.data().remaining()) {
            events.add(BrokerEvent.Severity.INFO, BrokerEvent.Kind.MODEL_STORED, c.modelHash(),
                    "model " + io.edgeslice.protocol.Hashing.shortHash(c.modelHash()) + " stored (" + status.receivedBytes() + " bytes)");
        }
        send(identity, status);
    }

    // ---- time-driven work --------------------------------------------------------------------

    /**
     * The loop did not run for a while (a long collector pause, a suspended machine, a store that
     * hung): heartbeats that came meanwhile wait unread, so the silence is the broker's, not the
     * agents'. It counts against neither their liveness nor their tasks' leases; deadlines, which
     * are the clients', still hold.
     */
    private void forgiveStall(long stalledNanos) {
        long credit = stalledNanos - Liveness.SWEEP_INTERVAL.toNanos();
        for (AgentEntry a : agentsByName.values()) {
            if (a.state != AgentState.LOST) {
                a.lastSeenNanos += credit;
                if (a.disconnectedNanos != 0) {
                    a.disconnectedNanos += credit;
                }
            }
        }
        running.forEach(t -> t.leaseUntilNanos += credit);
        String what = "the broker did not run for " + TimeUnit.NANOSECONDS.toMillis(stalledNanos)
                + " ms: that silence counts against no agent and no lease";
        log.warn(what);
        events.add(BrokerEvent.Severity.WARNING, BrokerEvent.Kind.BROKER_STALLED, "broker", what);
    }

    private void sweep(long now) {
        for (AgentEntry a : agentsByName.values()) {
            long silent = now - a.lastSeenNanos;
            boolean goneSinceDisconnect = a.disconnectedNanos != 0 && a.lastSeenNanos - a.disconnectedNanos <= 0
                    && now - a.disconnectedNanos >= Liveness.RECONNECT_GRACE.toNanos();
            if (a.state != AgentState.LOST && (goneSinceDisconnect || silent >= Liveness.LOST_AFTER_MISSED * heartbeatNanos)) {
                events.add(BrokerEvent.Severity.ERROR, BrokerEvent.Kind.AGENT_LOST, a.name(),
                        "agent " + a.name() + " lost: " + (goneSinceDisconnect ? "its connection closed " + TimeUnit.NANOSECONDS.toMillis(now - a.disconnectedNanos)
                                + " ms ago and was not made again" : "no heartbeat for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms"));
                loseAgent(a);
            } else if (a.state == AgentState.HEALTHY && silent >= Liveness.SUSPECT_AFTER_MISSED * heartbeatNanos) {
                events.add(BrokerEvent.Severity.WARNING, BrokerEvent.Kind.AGENT_SUSPECT, a.name(),
                        "agent " + a.name() + " suspect: no heartbeat for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
                setState(a, AgentState.SUSPECT);
            }
        }
        for (Iterator<TaskEntry> it = new ArrayList<>(running).iterator(); it.hasNext(); ) {
            TaskEntry t = it.next();
            if (t.expired(now)) {
                finish(t, new Message.Expired(t.record.taskId()), TaskState.EXPIRED);
            } else if (now - t.leaseUntilNanos >= 0) {
                log.warn("task {} lease on {} expired; dispatching again", t.record.taskId(), t.agent);
                requeue(t, "lease expired on " + t.agent);
            }
        }
        for (TaskEntry t : new ArrayList<>(queue)) {
            if (t.expired(now)) {
                finish(t, new Message.Expired(t.record.taskId()), TaskState.EXPIRED);
            }
        }
        for (String expired : deployments.expire(now)) {
            events.add(BrokerEvent.Severity.ERROR, BrokerEvent.Kind.DEPLOY_FAILED, expired, "deployment timed out: " + expired);
        }
        while (!finished.isEmpty() && now - finished.peekFirst().finishedNanos > FINISHED_RETENTION_NANOS) {
            tasks.remove(finished.pollFirst().record.taskId());
        }
        if (now - nextBrokerHeartbeat >= 0) {
            Message.Heartbeat hb = Message.Heartbeat.fromBroker(heartbeatSeq++);
            List<ByteBuffer> frames = Codec.encode(hb);
            for (AgentEntry a : agentsByName.values()) {
                if (a.identity != null && a.state != AgentState.LOST) {
                    Wire.send(router, a.identity, frames, true);
                }
            }
            nextBrokerHeartbeat = now + heartbeatNanos;
        }
    }

    private void dispatch(long now) {
        while (!queue.isEmpty()) {
            TaskEntry chosenTask = null;
            AgentEntry chosenAgent = null;
            int scanned = 0;
            for (TaskEntry t : queue) {
                chosenAgent = chooseAgent(t);
                if (chosenAgent != null || ++scanned >= DISPATCH_SCAN) {
                    chosenTask = t;
                    break;
                }
            }
            if (chosenAgent == null) {
                return;
            }
            queue.remove(chosenTask);
            sendTask(chosenTask, chosenAgent, now);
        }
    }

    /** Free healthy agents that fit the model; those holding it first, then the least loaded. */
    private AgentEntry chooseAgent(TaskEntry t) {
        AgentEntry best = null;
        for (AgentEntry a : agentsByName.values()) {
            if (!a.canTakeTask() || !a.fits(t.record.modelSize())) {
                continue;
            }
            if (best == null || better(a, best, t.record.modelHash())) {
                best = a;
            }
        }
        return best;
    }

    static boolean better(AgentEntry a, AgentEntry b, String model) {
        boolean ac = a.cachedModels.contains(model);
        boolean bc = b.cachedModels.contains(model);
        if (ac != bc) {
            return ac;
        }
        double la = (double) a.inflight.size() / a.slots();
        double lb = (double) b.inflight.size() / b.slots();
        if (la != lb) {
            return la < lb;
        }
        return a.cpuPercent() < b.cpuPercent();
    }

    private void sendTask(TaskEntry t, AgentEntry a, long now) {
        int attempt = t.attempt + 1;
        long left = t.deadlineNanos == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(t.deadlineNanos - now));
        Message.Task msg = new Message.Task(t.record.taskId(), attempt, t.record.modelHash(), t.record.modelSize(), left, t.inputs);
        if (!Wire.send(router, a.identity, Codec.encode(msg), true)) {
            log.warn("agent {} cannot take task {} (unreachable or full); suspect", a.name(), t.record.taskId());
            setState(a, AgentState.SUSPECT);
            queue.add(t);
            return;
        }
        t.attempt = attempt;
        t.state = TaskState.RUNNING;
        t.agent = a.name();
        t.dispatchedNanos = now;
        t.leaseUntilNanos = now + Liveness.LEASE.toNanos();
        a.inflight.add(t.record.taskId());
        running.add(t);
        store.taskDispatched(t.record.taskId(), a.name(), attempt);
        log.debug("task {} attempt {} -> {}", t.record.taskId(), attempt, a.name());
    }

    private void onRouteQuery(byte[] identity, String modelHash) {
        List<Message.Route> replicas = routes.of(modelHash);
        send(identity, !replicas.isEmpty() ? new Message.Routes(replicas)
                : new Message.Failed(Message.NO_TASK, 0, ErrorCode.NO_ROUTE, "no route is deployed for model " + modelHash));
    }

    // ---- operator commands (from Broker's command queue) ----------------------------------

    /** Places a model on an agent: it fetches and caches it, and tasks for the model then prefer it. */
    void deploy(String modelHash, String agentName, CompletableFuture<Void> done) {
        AgentEntry a = agentsByName.get(agentName);
        long size = models.size(modelHash);
        String refusal = a == null ? "no agent named " + agentName
                : !a.reachable() ? "agent " + agentName + " is " + a.state.lowerName()
                : size < 0 ? "the broker does not hold model " + modelHash
                : !a.fits(size) ? String.format("model of %.1f MB does not fit agent %s (%.1f MB of memory)", size / 1e6, agentName,
                        a.record.memoryBytes() / 1e6)
                : null;
        if (refusal != null) {
            events.add(BrokerEvent.Severity.WARNING, BrokerEvent.Kind.DEPLOY_FAILED, agentName, "deployment refused: " + refusal);
            done.completeExceptionally(new DeployException(refusal));
            return;
        }
        deployments.add(agentName, modelHash, ticker.nanos(), done);
        if (a.cachedModels.contains(modelHash)) {
            deployments.heartbeat(agentName, a.cachedModels);
            return;
        }
        send(a.identity, new Message.Deploy(modelHash, size));
    }

    /** For the embedding console: place a route, or move one of its slices; the future carries the new route. */
    void deployRoute(RouteBook.Key key, List<Message.Stage> stages, io.edgeslice.protocol.Transport transport,
                     CompletableFuture<Message.Route> done) {
        try {
            placement.deployRoute(key, stages, transport, "", err -> done.completeExceptionally(new DeployException(err)), done::complete);
        } catch (ProtocolException e) {
            done.completeExceptionally(new DeployException(e.getMessage()));
        }
    }

    void moveSlice(RouteBook.Key key, int start, String agent, CompletableFuture<Message.Route> done) {
        try {
            placement.moveSlice(key, start, agent, err -> done.completeExceptionally(new DeployException(err)), done::complete);
        } catch (ProtocolException e) {
            done.completeExceptionally(new DeployException(e.getMessage()));
        }
    }

    /** For the embedding console: withdraw routes; the future carries them as they were. */
    void undeployRoute(String modelHash, OptionalInt replica, CompletableFuture<List<Message.Route>> done) {
        try {
            done.complete(placement.undeploy(modelHash, replica));
        } catch (ProtocolException e) {
            done.completeExceptionally(new DeployException(e.getMessage()));
        }
    }

    List<Message.Route> routes() {
        return routes.all();
    }

    private void failDeployments(String agent, String messageOrNull, String reason) {
        for (String hash : deployments.fail(agent, messageOrNull, reason)) {
            events.add(BrokerEvent.Severity.ERROR, BrokerEvent.Kind.DEPLOY_FAILED, agent,
                    "deploying model " + io.edgeslice.protocol.Hashing.shortHash(hash) + " on " + agent + " failed: " + reason);
        }
    }

    // ---- state changes -----------------------------------------------------------------------

    private void loseAgent(AgentEntry a) {
        boolean wasLost = a.state == AgentState.LOST;
        setState(a, AgentState.LOST);
        if (!wasLost) {
            routes.using(a.name()).forEach(r -> placement.repair(RouteBook.Key.of(r)));
        }
        failDeployments(a.name(), null, "agent " + a.name() + " was lost");
        if (a.identity != null) {
            agentsByIdentity.remove(hex(a.identity));
            a.identity = null;
        }
        requeueAll(a, "agent " + a.name() + " lost");
    }

    private void requeueAll(AgentEntry a, String why) {
        for (UUID id : List.copyOf(a.inflight)) {
            TaskEntry t = tasks.get(id);
            if (t != null && t.state == TaskState.RUNNING && a.name().equals(t.agent)) {
                requeue(t, why);
            }
        }
        a.inflight.clear();
    }

    private void requeue(TaskEntry t, String why) {
        AgentEntry a = agentsByName.get(t.agent);
        if (a != null) {
            a.inflight.remove(t.record.taskId());
        }
        running.remove(t);
        if (t.attempt >= Liveness.MAX_ATTEMPTS) {
            finish(t, new Message.Failed(t.record.taskId(), t.attempt, ErrorCode.ATTEMPTS_EXHAUSTED,
                    "gave up after " + t.attempt + " attempts; last: " + why), TaskState.FAILED);
            return;
        }
        t.state = TaskState.QUEUED;
        t.agent = null;
        queue.add(t);
        store.taskRequeued(t.record.taskId());
        stats.redispatched++;
    }

    private void finish(TaskEntry t, Message answer, TaskState state) {
        AgentEntry a = t.agent == null ? null : agentsByName.get(t.agent);
        if (a != null) {
            a.inflight.remove(t.record.taskId());
        }
        queue.remove(t);
        running.remove(t);
        t.state = state;
        t.answer = answer;
        t.finishedNanos = ticker.nanos();
        finished.addLast(t);
        store.taskFinished(t.record.taskId(), state);
        if (state != TaskState.DONE) {
            stats.failed++;
            String why = answer instanceof Message.Failed f ? f.code() + " " + f.message() : "deadline passed";
            events.add(state == TaskState.EXPIRED ? BrokerEvent.Severity.WARNING : BrokerEvent.Severity.ERROR,
                    state == TaskState.EXPIRED ? BrokerEvent.Kind.TASK_EXPIRED : BrokerEvent.Kind.TASK_FAILED, t.record.taskId().toString(),
                    "task " + t.record.taskId() + " " + state.name().toLowerCase(java.util.Locale.ROOT) + ": " + why);
        }
        // a client that is gone right now gets the answer again when it QUERYs
        send(t.record.clientIdentity(), answer);
    }

    private void setState(AgentEntry a, AgentState s) {
        if (a.state != s) {
            a.state = s;
            store.agentState(a.name(), s);
        }
    }

    List<Message.AgentRow> rows() {
        long now = ticker.nanos();
        List<Message.AgentRow> rows = new ArrayList<>();
        for (AgentEntry a : agentsByName.values()) {
            rows.add(a.row(now));
        }
        rows.sort((x, y) -> x.name().compareTo(y.name()));
        return rows;
    }

    int queueLength() {
        return queue.size();
    }

    int runningCount() {
        return running.size();
    }

    // ---- helpers -----------------------------------------------------------------------------

    void send(byte[] identity, Message m) {
        if (!Wire.send(router, identity, Codec.encode(m), true)) {
            log.debug("peer {} unreachable for {}", shortId(identity), m.command());
        }
    }

    private static UUID peekTaskId(List<ByteBuffer> frames) {
        try {
            if (Codec.signature(frames.get(0)) == Command.SUBMIT && frames.size() > 1 && frames.get(1).remaining() >= 16) {
                ByteBuffer b = frames.get(1).duplicate();
                return new UUID(b.getLong(), b.getLong());
            }
        } catch (ProtocolException ignored) {
            // not decodable: answer without a task id
        }
        return Message.NO_TASK;
    }

    private static String hex(byte[] identity) {
        return HexFormat.of().formatHex(identity);
    }

    private static String shortId(byte[] identity) {
        String h = hex(identity);
        return h.length() > 8 ? h.substring(0, 8) : h;
    }
}
