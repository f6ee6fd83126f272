package io.edgeslice.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.broker.store.InMemoryMetricTable;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Transport;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The broker over real sockets, with test peers speaking the protocol as a client and as an agent,
 * and an injected clock for heartbeat and lease timeouts.
 */
class BrokerTest {
    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    Broker broker;
    ZContext ctx;
    static final byte[] MODEL = {0x08, 0x07, 1, 2, 3, 4, 5, 6, 7, 8};
    static final String HASH = Hashing.sha256(MODEL);

    @BeforeEach
    void start() throws Exception {
        broker = Broker.start(BrokerConfig.onPort(0, dir).withTicker(clock::get), new InMemoryMetricTable());
        ctx = new ZContext();
    }

    @AfterEach
    void stop() throws Exception {
        ctx.close();
        broker.close();
    }

    ZMQ.Socket peer() {
        ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
        s.setReceiveTimeOut(1000);
        s.setHandshakeIvl(1000);
        s.connect(broker.endpoint());
        awaitConnected(s);
        return s;
    }

    static Message ask(ZMQ.Socket s, Message m) {
        Wire.send(s, null, m, false);
        return next(s);
    }

    /**
     * Asks until the broker answers, then drops any late duplicate answers: under load JeroMQ may
     * stall a fresh connection's handshake and lose what was sent meanwhile (real peers retry).
     */
    static void awaitConnected(ZMQ.Socket s) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Wire.send(s, null, new Message.ListAgents(), false);
            if (Wire.receive(s, 0) != null) {
                s.setReceiveTimeOut(300);
                while (Wire.receive(s, 0) != null) {
                    // drop duplicates
                }
                s.setReceiveTimeOut(1000);
                return;
            }
        }
        throw new AssertionError("could not connect to the broker");
    }

    static Message next(ZMQ.Socket s) {
        s.setReceiveTimeOut(5000);
        List<ByteBuffer> frames = Wire.receive(s, 0);
        s.setReceiveTimeOut(1000);
        assertThat(frames).as("a message from the broker").isNotNull();
        return Codec.decode(frames);
    }

    /** Next message that is not a broker heartbeat. */
    static Message nextWork(ZMQ.Socket s) {
        Message m;
        do {
            m = next(s);
        } while (m instanceof Message.Heartbeat);
        return m;
    }

    void upload(ZMQ.Socket client) {
        assertThat(ask(client, new Message.ModelOffer(HASH, MODEL.length))).isEqualTo(new Message.ModelStatus(HASH, false, 0));
        Message done = ask(client, new Message.ModelChunk(HASH, 0, Hashing.crc32c(ByteBuffer.wrap(MODEL)), ByteBuffer.wrap(MODEL)));
        assertThat(done).isEqualTo(new Message.ModelStatus(HASH, true, MODEL.length));
    }

    ZMQ.Socket agent(String name) {
        return agent(name, "");
    }

    ZMQ.Socket agent(String name, String ortTarget) {
        ZMQ.Socket a = peer();
        Wire.send(a, null, new Message.Ready(name, 1, "tcp://127.0.0.1:1", new Message.Capabilities("h", "amd64", "Linux", 2, 8L << 30,
                List.of("CPUExecutionProvider"), 1, ortTarget)), false);
        return a;
    }

    static Message.Submit submit(int priority, long deadlineMs) {
        return new Message.Submit(UUID.randomUUID(), priority, deadlineMs, HASH, List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {priority})));
    }

    @Test
    void tasksAreDispatchedByPriorityThenArrival() throws Exception {
        ZMQ.Socket client = peer();
        upload(client);
        List<Message.Submit> subs = List.of(submit(5, 0), submit(9, 0), submit(5, 0), submit(0, 0));
        for (Message.Submit s : subs) {
            assertThat(ask(client, s)).isInstanceOf(Message.Accepted.class);
        }
        ZMQ.Socket agent = agent("a1");
        List<UUID> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Message.Task t = (Message.Task) nextWork(agent);
            order.add(t.taskId());
            assertThat(t.attempt()).isEqualTo(1);
            Wire.send(agent, null, new Message.Result(t.taskId(), t.attempt(), "a1", 10, t.inputs()), false);
            Message r = nextWork(client);
            assertThat(r).isInstanceOfSatisfying(Message.Result.class, res -> assertThat(res.agent()).isEqualTo("a1"));
        }
        assertThat(order).containsExactly(subs.get(1).taskId(), subs.get(0).taskId(), subs.get(2).taskId(), subs.get(3).taskId());
    }

    @Test
    void aRetriedSubmitIsIdempotentAndARetriedQueryReturnsTheResultAgain() throws Exception {
        ZMQ.Socket client = peer();
        upload(client);
        Message.Submit s = submit(5, 0);
        assertThat(ask(client, s)).isInstanceOf(Message.Accepted.class);
        assertThat(ask(client, s)).isInstanceOf(Message.Accepted.class);
        ZMQ.Socket agent = agent("a1");
        Message.Task t = (Message.Task) nextWork(agent);
        Wire.send(agent, null, new Message.Result(t.taskId(), 1, "a1", 10, List.of()), false);
        assertThat(nextWork(client)).isInstanceOf(Message.Result.class);
        assertThat(ask(client, s)).isInstanceOf(Message.Result.class);
        assertThat(ask(client, new Message.Query(s.taskId()))).isInstanceOf(Message.Result.class);
        assertThat(broker.snapshot().submitted()).isLessThanOrEqualTo(1);
    }

    @Test
    void aPassedDeadlineAnswersExpired() throws Exception {
        ZMQ.Socket client = peer();
        upload(client);
        Message.Submit s = submit(5, 200);
        assertThat(ask(client, s)).isInstanceOf(Message.Accepted.class);
        clock.addAndGet(300_000_000L);
        assertThat(nextWork(client)).isEqualTo(new Message.Expired(s.taskId()));
    }

    @Test
    void aSilentAgentIsSuspectThenLostAndItsTaskGoesToAnother() throws Exception {
        ZMQ.Socket client = peer();
        TaskOnA1 t = aTaskOnA1WhileA2Waits(client);
        Message.Task first = t.task();
        ZMQ.Socket a1 = t.a1();
        ZMQ.Socket a2 = t.a2();
        a1FallsSilent(a2);
        Message.Task second = (Message.Task) nextWork(a2);
        assertThat(second.taskId()).isEqualTo(first.taskId());
        assertThat(second.attempt()).isEqualTo(2);
        // the late answer of the lost agent is ignored; the new attempt's answer is delivered once
        Wire.send(a1, null, new Message.Result(first.taskId(), 1, "a1", 1, List.of()), false);
        Wire.send(a2, null, new Message.Result(second.taskId(), 2, "a2", 1, List.of()), false);
        Message r = nextWork(client);
        assertThat(r).isInstanceOfSatisfying(Message.Result.class, res -> assertThat(res.agent()).isEqualTo("a2"));
    }

    @Test
    void theBrokersOwnStallCountsAgainstNoAgentAndNoLease() throws Exception {
        ZMQ.Socket client = peer();
        TaskOnA1 t = aTaskOnA1WhileA2Waits(client);
        // ten seconds pass between two turns of the broker's loop: its own stall (a long pause), not its agents' silence
        clock.addAndGet(10_000_000_000L);
        awaitEvent("the broker did not run for 10000 ms");
        Thread.sleep(300); // a few more turns
        assertThat(broker.snapshot().agents()).allSatisfy(r -> assertThat(r.state()).as(r.name()).isEqualTo("healthy"));
        assertThat(broker.snapshot().events()).noneMatch(e -> e.message().matches("agent a[12] (lost|suspect).*"));
        // the task's lease holds: a2 is given nothing, and a1's answer is delivered
        t.a2().setReceiveTimeOut(100);
        for (int i = 0; i < 5; i++) {
            List<ByteBuffer> frames = Wire.receive(t.a2(), 0);
            if (frames != null) {
                assertThat(Codec.decode(frames)).as("sent to a2 after the stall").isNotInstanceOf(Message.Task.class);
            }
        }
        Wire.send(t.a1(), null, new Message.Result(t.task().taskId(), 1, "a1", 1, List.of()), false);
        assertThat(nextWork(client)).isInstanceOfSatisfying(Message.Result.class, r -> assertThat(r.agent()).isEqualTo("a1"));
        // forgiven once, not for good: silent for three more intervals, a1 is lost
        a1FallsSilent(t.a2());
    }

    private record TaskOnA1(ZMQ.Socket a1, ZMQ.Socket a2, Message.Task task) {
    }

    /** A task the client submitted, dispatched to a1; a2 registered after it, idle. */
    private TaskOnA1 aTaskOnA1WhileA2Waits(ZMQ.Socket client) throws InterruptedException {
        upload(client);
        ZMQ.Socket a1 = agent("a1");
        awaitAgents(1);
        assertThat(ask(client, submit(5, 0))).isInstanceOf(Message.Accepted.class);
        Message.Task task = (Message.Task) nextWork(a1);
        ZMQ.Socket a2 = agent("a2");
        awaitAgents(2);
        return new TaskOnA1(a1, a2, task);
    }

    /** a1 stays silent while a2 heartbeats: suspect after two intervals, lost after three. */
    private void a1FallsSilent(ZMQ.Socket a2) throws InterruptedException {
        clock.addAndGet(2_100_000_000L);
        heartbeat(a2, "a2");
        awaitState("a1", "suspect");
        clock.addAndGet(1_000_000_000L);
        heartbeat(a2, "a2");
        awaitState("a1", "lost");
    }

    @Test
    void anAgentWhoseConnectionClosesIsLostAfterTheGraceWithoutWaitingForMissedHeartbeats() throws Exception {
        ZMQ.Socket a1 = agent("a1");
        awaitAgents(1);
        a1.close(); // the TCP connection closes, as when the process is killed
        awaitState("a1", "suspect");
        clock.addAndGet(Liveness.RECONNECT_GRACE.toNanos() + 100_000_000L);
        awaitState("a1", "lost");
        assertThat(broker.snapshot().events()).anyMatch(e -> e.message().contains("connection closed"));
    }

    @Test
    void aDeploymentPendingWhenItsAgentReconnectsIsSentAgainOnTheNewConnection() throws Exception {
        upload(peer());
        ZMQ.Socket first = agent("a1");
        awaitAgents(1);
        java.util.concurrent.CompletableFuture<Void> done = broker.deploy(HASH, "a1");
        assertThat(nextWork(first)).isEqualTo(new Message.Deploy(HASH, MODEL.length));
        first.close(); // e.g. a stalled handshake: the agent connects again and the first DEPLOY may be lost with the old connection
        ZMQ.Socket second = agent("a1");
        assertThat(nextWork(second)).isEqualTo(new Message.Deploy(HASH, MODEL.length));
        Wire.send(second, null, new Message.Heartbeat(1, 5, 1, 2, 0.1, List.of(), List.of(HASH), 0, 0), false);
        done.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void aRouteBeingRepairedIsWithdrawnAndTheRepairIsDroppedWhenItsSliceArrives() throws Exception {
        ZMQ.Socket client = peer();
        upload(client);
        ZMQ.Socket a1 = agent("a1");
        ZMQ.Socket a2 = agent("a2");
        awaitAgents(2);
        Wire.send(client, null, new Message.DeployRoute(HASH, 0, List.of(new Message.Stage(0, 10, HASH, MODEL.length, "a1", "")),
                Transport.NONE), false);
        assertThat(nextWork(a1)).isEqualTo(new Message.Deploy(HASH, MODEL.length));
        Wire.send(a1, null, new Message.Heartbeat(1, 5, 1, 2, 0.1, List.of(), List.of(HASH), 0, 0), false);
        Message.Route route = (Message.Route) nextWork(client);
        a1.close(); // its process died: the broker moves the slice to a2, which has yet to fetch it
        assertThat(nextWork(a2)).isEqualTo(new Message.Deploy(HASH, MODEL.length));

        Wire.send(client, null, Message.UndeployRoute.every(HASH), false);
        assertThat(nextWork(client)).isEqualTo(new Message.Routes(List.of(route)));
        assertThat(broker.snapshot().routes()).isEmpty();

        // the slice reaches a2: the repair completes, finds the route withdrawn and installs nothing
        Wire.send(a2, null, new Message.Heartbeat(1, 5, 1, 2, 0.1, List.of(), List.of(HASH), 0, 0), false);
        for (int i = 0; i < 100 && broker.snapshot().events().stream().noneMatch(e -> e.message().startsWith("repair dropped")); i++) {
            Thread.sleep(20);
        }
        assertThat(broker.snapshot().events()).anySatisfy(e -> {
            assertThat(e.message()).isEqualTo("repair dropped: route 0 of model " + Hashing.shortHash(HASH)
                    + " was withdrawn while its slices were being placed");
            assertThat(e.severity()).isEqualTo(BrokerEvent.Severity.INFO);
        });
        assertThat(broker.snapshot().routes()).isEmpty();
        a2.setReceiveTimeOut(300);
        for (List<ByteBuffer> f; (f = Wire.receive(a2, 0)) != null; ) {
            assertThat(Codec.decode(f)).as("nothing but heartbeats for a2").isInstanceOf(Message.Heartbeat.class);
        }
    }

    @Test
    void slicesCutForOneOrtTargetArePlacedAndRepairedOnlyOnAgentsOfThatTarget() throws Exception {
        String target = "onnxruntime-1.23.2 amd64 avx+avx2+fma";
        ZMQ.Socket client = peer();
        upload(client);
        ZMQ.Socket other = agent("other", "onnxruntime-1.23.2 aarch64 asimd");
        ZMQ.Socket unknown = agent("unknown", "");
        ZMQ.Socket x1 = agent("x1", target);
        ZMQ.Socket x2 = agent("x2", target);
        awaitAgents(4);
        List<Message.Stage> named = List.of(new Message.Stage(0, 10, HASH, MODEL.length, "other", ""));
        Wire.send(client, null, new Message.DeployRoute(HASH, 0, named, Transport.NONE, target), false);
        assertThat(nextWork(client)).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(f.message()).contains(target).contains("agent other is onnxruntime-1.23.2 aarch64 asimd");
        });

        // two stages, broker's choice: the two agents of the target, not the idle others
        List<Message.Stage> open = List.of(new Message.Stage(0, 10, HASH, MODEL.length, "", ""), new Message.Stage(10, 20, HASH, MODEL.length, "", ""));
        Wire.send(client, null, new Message.DeployRoute(HASH, 0, open, Transport.NONE, target), false);
        for (ZMQ.Socket x : List.of(x1, x2)) {
            assertThat(nextWork(x)).isEqualTo(new Message.Deploy(HASH, MODEL.length));
            Wire.send(x, null, new Message.Heartbeat(1, 5, 1, 2, 0.1, List.of(), List.of(HASH), 0, 0), false);
        }
        Message.Route route = (Message.Route) nextWork(client);
        assertThat(route.ortTarget()).isEqualTo(target);
        assertThat(route.stages()).extracting(Message.Stage::agent).containsExactlyInAnyOrder("x1", "x2");

        // x1 is lost: its slice moves to x2, the other agent of the target, not to the idle agents outside the route
        x1.close();
        for (int i = 0; i < 150 && broker.snapshot().routes().stream().noneMatch(r -> r.epoch() == 2); i++) {
            Thread.sleep(20);
        }
        assertThat(broker.snapshot().routes()).singleElement().satisfies(r -> {
            assertThat(r.epoch()).isEqualTo(2);
            assertThat(r.ortTarget()).isEqualTo(target);
            assertThat(r.stages()).extracting(Message.Stage::agent).containsExactly("x2", "x2");
        });
        x2.close(); // and with no agent of the target left, the route is broken rather than placed on another target
        for (int i = 0; i < 150 && broker.snapshot().events().stream().noneMatch(e -> e.message().contains("is broken")); i++) {
            Thread.sleep(20);
        }
        assertThat(broker.snapshot().events()).anySatisfy(e -> assertThat(e.message())
                .contains("is broken: no healthy agent of ONNX Runtime target " + target + " can take slice"));
        for (ZMQ.Socket idle : List.of(other, unknown)) {
            idle.setReceiveTimeOut(300);
            for (List<ByteBuffer> f; (f = Wire.receive(idle, 0)) != null; ) {
                assertThat(Codec.decode(f)).as("nothing but heartbeats for agents of other targets").isInstanceOf(Message.Heartbeat.class);
            }
        }
    }

    @Test
    void aFreshRouteWaitsForASuspectAgentRatherThanRunTwoStagesOnOneAgent() throws Exception {
        ZMQ.Socket client = peer();
        List<ZMQ.Socket> agents = deployWhileA3IsSuspect(client);
        agents.get(0).setReceiveTimeOut(300);
        for (List<ByteBuffer> f; (f = Wire.receive(agents.get(0), 0)) != null; ) {
            assertThat(Codec.decode(f)).as("no DEPLOY while a3 is suspect").isInstanceOf(Message.Heartbeat.class);
        }

        heartbeat(agents.get(2), "a3"); // a3 was only late: healthy again, it takes the third stage
        clock.addAndGet(Liveness.SWEEP_INTERVAL.toNanos());
        for (int i = 0; i < 3; i++) {
            assertThat(nextWork(agents.get(i))).isEqualTo(new Message.Deploy(HASH, MODEL.length));
            heartbeat(agents.get(i), "a" + (i + 1), HASH);
        }
        Message.Route route = (Message.Route) nextWork(client);
        assertThat(route.stages()).extracting(Message.Stage::agent).containsExactlyInAnyOrder("a1", "a2", "a3");
    }

    @Test
    void aFreshRouteWaitingForASuspectAgentIsPlacedOnTheOthersOnceItIsLost() throws Exception {
        ZMQ.Socket client = peer();
        List<ZMQ.Socket> agents = deployWhileA3IsSuspect(client);

        clock.addAndGet(1_000_000_000L); // a3 stays silent: lost after three intervals
        heartbeat(agents.get(0), "a1");
        heartbeat(agents.get(1), "a2");
        awaitState("a3", "lost");
        for (int i = 0; i < 2; i++) {
            assertThat(nextWork(agents.get(i))).isEqualTo(new Message.Deploy(HASH, MODEL.length));
            heartbeat(agents.get(i), "a" + (i + 1), HASH);
        }
        Message.Route route = (Message.Route) nextWork(client);
        assertThat(route.stages()).extracting(Message.Stage::agent).doesNotContain("a3").contains("a1", "a2");
    }

    /**
     * Agents a1, a2 and a3; two seconds in which a1 and a2 heartbeat and a3 does not, so a3 is
     * suspect; then a route of three stages for the broker to place, which waits for a3.
     */
    private List<ZMQ.Socket> deployWhileA3IsSuspect(ZMQ.Socket client) throws InterruptedException {
        upload(client);
        List<ZMQ.Socket> agents = List.of(agent("a1"), agent("a2"), agent("a3"));
        awaitAgents(3);
        clock.addAndGet(2_100_000_000L);
        heartbeat(agents.get(0), "a1");
        heartbeat(agents.get(1), "a2");
        awaitState("a3", "suspect");
        awaitState("a1", "healthy");
        List<Message.Stage> open = List.of(new Message.Stage(0, 10, HASH, MODEL.length, "", ""), new Message.Stage(10, 20, HASH, MODEL.length, "", ""),
                new Message.Stage(20, 30, HASH, MODEL.length, "", ""));
        Wire.send(client, null, new Message.DeployRoute(HASH, 0, open, Transport.NONE), false);
        awaitEvent("waits for suspect agent a3");
        return agents;
    }

    private void awaitEvent(String text) throws InterruptedException {
        for (int i = 0; i < 100 && broker.snapshot().events().stream().noneMatch(e -> e.message().contains(text)); i++) {
            Thread.sleep(20);
        }
        assertThat(broker.snapshot().events()).anySatisfy(e -> assertThat(e.message()).contains(text));
    }

    @Test
    void anUnknownAgentsHeartbeatIsAnsweredDisconnect() throws Exception {
        ZMQ.Socket stranger = peer();
        Message m = ask(stranger, Message.Heartbeat.fromBroker(1));
        assertThat(m).isInstanceOf(Message.Disconnect.class);
    }

    @Test
    void submitsWithoutTheModelOrWithABadPriorityAreRefused() throws Exception {
        ZMQ.Socket client = peer();
        Message noModel = ask(client, submit(5, 0));
        assertThat(noModel).isInstanceOfSatisfying(Message.Failed.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.MODEL_MISSING));
        upload(client);
        Message.Submit bad = new Message.Submit(UUID.randomUUID(), 12, 0, HASH, submit(1, 0).inputs());
        assertThat(ask(client, bad)).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(f.taskId()).isEqualTo(bad.taskId());
        });
    }

    /**
     * Sends a heartbeat as the agent (the clock has moved since its last one) and waits until the
     * broker's snapshot shows it taken in: the agent heard from just now, with the models listed.
     */
    private void heartbeat(ZMQ.Socket agent, String name, String... cachedModels) throws InterruptedException {
        Wire.send(agent, null, new Message.Heartbeat(1, 5, 1, 2, 0.1, List.of(), List.of(cachedModels), 0, 0), false);
        for (int i = 0; i < 100; i++) {
            Thread.sleep(20);
            if (broker.snapshot().agents().stream().anyMatch(r -> r.name().equals(name) && r.heartbeatAgeMs() == 0
                    && r.models().containsAll(List.of(cachedModels)))) {
                return;
            }
        }
        throw new AssertionError("the broker did not take in " + name + "'s heartbeat");
    }

    private void awaitAgents(int n) throws InterruptedException {
        for (int i = 0; i < 100 && broker.snapshot().agents().size() < n; i++) {
            Thread.sleep(20);
        }
        assertThat(broker.snapshot().agents()).hasSize(n);
    }

    private void awaitState(String name, String state) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (broker.snapshot().agents().stream().anyMatch(r -> r.name().equals(name) && r.state().equals(state))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + " never became " + state + ": " + broker.snapshot().agents());
    }
}
