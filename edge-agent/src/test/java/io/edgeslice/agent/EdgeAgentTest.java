package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Command;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The agent end to end against a real ROUTER playing the broker's side of the protocol. */
class EdgeAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long[] FACE_SHAPE = {1, 128, 128, 3};
    private static final long[] MLSD_SHAPE = {1, 320, 320, 4};
    private static InferenceEngine reference;

    @TempDir
    Path tmp;
    private Fixture fx;

    @BeforeAll
    static void openReference() {
        TestModels.require(TestModels.BLAZEFACE);
        TestModels.require(TestModels.MLSD);
        reference = new InferenceEngine(1);
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    @BeforeEach
    void fixture() {
        fx = new Fixture(tmp);
    }

    @AfterEach
    void cleanUp() throws Exception {
        fx.close();
    }

    @Test
    void registersHeartbeatsEverySecondAndSaysGoodbye() throws Exception {
        BrokerPeer broker = fx.peer();
        long before = System.currentTimeMillis();
        EdgeAgent agent = fx.start(fx.config(broker.port()).withSlots(2));

        Message.Ready ready = (Message.Ready) broker.next(Command.READY, WAIT).message();
        assertThat(ready.name()).isEqualTo("agent-under-test");
        assertThat(ready.incarnation()).isBetween(before, System.currentTimeMillis());
        assertThat(ready.dataEndpoint()).matches("tcp://[^*:]+:\\d+").doesNotContain("0.0.0.0").isEqualTo(agent.dataEndpoint());
        assertThat(ready.dataEndpoint()).startsWith("tcp://127.0.0.1:"); // the interface that routes to the broker
        Message.Capabilities caps = ready.capabilities();
        assertThat(caps.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(caps.arch()).isEqualTo(System.getProperty("os.arch"));
        assertThat(caps.os()).isEqualTo(System.getProperty("os.name"));
        assertThat(caps.memoryBytes()).isPositive();
        assertThat(caps.executionProviders()).contains("CPU");
        assertThat(caps.slots()).isEqualTo(2);
        assertThat(caps.host()).isNotBlank();

        BrokerPeer.Received first = broker.next(Command.HEARTBEAT, WAIT);
        long previousAt = first.atNanos();
        long previousSeq = ((Message.Heartbeat) first.message()).seq();
        for (int i = 0; i < 2; i++) {
            BrokerPeer.Received r = broker.next(Command.HEARTBEAT, WAIT);
            Message.Heartbeat hb = (Message.Heartbeat) r.message();
            assertThat((r.atNanos() - previousAt) / 1_000_000).isBetween(600L, 1600L);
            assertThat(hb.seq()).isGreaterThan(previousSeq);
            assertThat(hb.cpuPercent()).isBetween(0.0, 100.0);
            assertThat(hb.memoryTotalBytes()).isPositive();
            assertThat(hb.memoryUsedBytes()).isPositive().isLessThanOrEqualTo(hb.memoryTotalBytes());
            assertThat(hb.loadAverage()).isGreaterThanOrEqualTo(0);
            assertThat(hb.inflightTasks()).isEmpty();
            assertThat(hb.cachedModels()).isEmpty();
            assertThat(hb.tasksDone()).isZero();
            assertThat(r.id()).isEqualTo(first.id());
            previousAt = r.atNanos();
            previousSeq = hb.seq();
        }

        fx.closeNow(agent);
        assertThat(broker.next(Command.DISCONNECT, WAIT).id()).isEqualTo(first.id());
        assertThat(broker.undecodable()).isZero();
    }

    @Test
    void theDataEndpointTakesOnlyDataPlaneMessages() throws Exception {
        BrokerPeer broker = fx.peer();
        EdgeAgent agent = fx.start(fx.config(broker.port()));
        broker.next(Command.READY, WAIT);

        try (ZContext ctx = new ZContext(1); ZMQ.Socket peer = ctx.createSocket(SocketType.DEALER)) {
            // JeroMQ 0.6.0 leaves about 1% of new connections without a handshake: a short handshake
            // interval drops such a connection and reconnects, and the message is sent again
            peer.setHandshakeIvl(1000);
            peer.setReceiveTimeOut(2000);
            peer.connect(agent.dataEndpoint());
            List<ByteBuffer> reply = null;
            for (int attempt = 0; attempt < 5 && reply == null; attempt++) {
                Wire.send(peer, null, Message.Heartbeat.fromBroker(1), false);
                reply = Wire.receive(peer, 0);
            }
            assertThat(reply).isNotNull();
            assertThat(Codec.decode(reply)).isEqualTo(new Message.Failed(Message.NO_TASK, 0, ErrorCode.UNEXPECTED,
                    "the data endpoint takes ACT, PROFILE, LINK_PROBE and PROBE, not HEARTBEAT"));
        }
    }

    enum Serving { PLAIN, ZSTD, ONE_CORRUPT_CHUNK }

    @ParameterizedTest
    @EnumSource(Serving.class)
    void fetchesAModelItLacksOnceThenRunsTasksOnIt(Serving serving) throws Exception {
        BrokerPeer broker = fx.peer();
        String hash = broker.serve(TestModels.MLSD);
        long size = Files.size(TestModels.MLSD);
        broker.zstd = serving == Serving.ZSTD;
        if (serving == Serving.ONE_CORRUPT_CHUNK) {
            broker.corruptOnce(ModelFetch.CHUNK);
        }
        EdgeAgent agent = fx.start(fx.config(broker.port()));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();

        Tensor input = TestModels.randomFloats("", MLSD_SHAPE, 11);
        // with zstd the task also leaves the size unsaid: the agent learns it from the first chunk
        Message.Task first = Fixture.task(hash, serving == Serving.ZSTD ? 0 : size, input);
        broker.send(agentId, first);
        Message.Result result = (Message.Result) broker.next(Command.RESULT, WAIT).message();

        assertThat(result.taskId()).isEqualTo(first.taskId());
        assertThat(result.attempt()).isEqualTo(1);
        assertThat(result.agent()).isEqualTo("agent-under-test");
        assertThat(result.computeMicros()).isPositive();
        assertThat(result.outputs()).isEqualTo(reference.run(TestModels.MLSD, hash, List.of(input)));
        List<Long> offsets = broker.fetches().stream().map(Message.Fetch::offset).toList();
        long mib = ModelFetch.CHUNK;
        if (serving == Serving.ONE_CORRUPT_CHUNK) {
            assertThat(offsets).containsExactlyInAnyOrder(0L, mib, mib, 2 * mib); // the corrupt chunk was asked for again
        } else {
            assertThat(offsets).containsExactlyInAnyOrder(0L, mib, 2 * mib);
        }
        assertThat(broker.fetches()).allSatisfy(f -> assertThat(f.maxLength()).isEqualTo(ModelFetch.CHUNK));
        Path cached = agent.config().cacheDir().resolve(hash + ".onnx");
        assertThat(cached).hasSameBinaryContentAs(TestModels.MLSD);
        assertThat(cached.resolveSibling(hash + ".onnx.part")).doesNotExist();

        Message.Task second = Fixture.task(hash, size, TestModels.randomFloats("input_image_with_alpha:0", MLSD_SHAPE, 12));
        broker.send(agentId, second);
        assertThat(((Message.Result) broker.next(Command.RESULT, WAIT).message()).taskId()).isEqualTo(second.taskId());
        assertThat(broker.fetches()).hasSize(offsets.size()); // no second fetch
        assertThat(agent.cachedModels()).containsExactly(hash);

        Message.Heartbeat hb;
        do {
            hb = (Message.Heartbeat) broker.next(Command.HEARTBEAT, WAIT).message();
        } while (hb.tasksDone() < 2);
        assertThat(hb.cachedModels()).containsExactly(hash);
        assertThat(hb.inflightTasks()).isEmpty();
        assertThat(hb.tasksFailed()).isZero();
    }

    @Test
    void keepsAtMostFourFetchesOutstandingAndAsksForMoreAsChunksArrive() throws Exception {
        Path large = TestModels.require(TestModels.MLSD_LARGE);
        BrokerPeer broker = fx.peer();
        String hash = broker.serve(large);
        broker.zstd = true;
        broker.hold = true;
        fx.start(fx.config(broker.port()));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();

        broker.send(agentId, Fixture.task(hash, Files.size(large), TestModels.randomFloats("", MLSD_SHAPE, 13)));
        for (int i = 0; i < ModelFetch.WINDOW; i++) {
            broker.next(Command.FETCH, WAIT);
        }
        assertThat(broker.poll(Command.FETCH, Duration.ofMillis(400))).isNull(); // the window is full
        broker.hold = false;

        assertThat(broker.next(Command.RESULT, WAIT).message()).isInstanceOf(Message.Result.class);
        long chunks = (Files.size(large) + ModelFetch.CHUNK - 1) / ModelFetch.CHUNK;
        assertThat(broker.fetches()).extracting(Message.Fetch::offset).doesNotHaveDuplicates().hasSize((int) chunks);
    }

    @Test
    void aMalformedMessageIsAnsweredAndTheAgentKeepsWorking() throws Exception {
        String hash = TestModels.sha256(TestModels.BLAZEFACE);
        Path cacheDir = Files.createDirectories(tmp.resolve("cache"));
        Files.copy(TestModels.BLAZEFACE, cacheDir.resolve(hash + ".onnx"));
        Files.write(cacheDir.resolve("0".repeat(64) + ".onnx.part"), new byte[10]); // left by a crash
        BrokerPeer broker = fx.peer();
        fx.start(fx.config(broker.port()));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();
        assertThat(cacheDir.resolve("0".repeat(64) + ".onnx.part")).doesNotExist();

        broker.sendRaw(agentId, List.of(ByteBuffer.wrap("junk".getBytes())));
        Message.Failed junk = (Message.Failed) broker.next(Command.FAILED, WAIT).message();
        assertThat(junk.taskId()).isEqualTo(Message.NO_TASK);
        assertThat(junk.code()).isEqualTo(ErrorCode.MALFORMED);

        broker.sendRaw(agentId, List.of(ByteBuffer.wrap(new byte[] {'E', 'S', 9, 3}), ByteBuffer.allocate(3)));
        assertThat(((Message.Failed) broker.next(Command.FAILED, WAIT).message()).code()).isEqualTo(ErrorCode.VERSION);

        Message.Task wrongShape = Fixture.task(hash, 0, TestModels.randomFloats("input:0", new long[] {1, 64, 64, 3}, 14));
        broker.send(agentId, wrongShape);
        Message.Failed badInput = (Message.Failed) broker.next(Command.FAILED, WAIT).message();
        assertThat(badInput.taskId()).isEqualTo(wrongShape.taskId());
        assertThat(badInput.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(badInput.message()).isEqualTo("input 'input:0' expects float32 1x128x128x3, got float32 1x64x64x3");

        Tensor input = TestModels.randomFloats("", FACE_SHAPE, 15);
        broker.send(agentId, Fixture.task(hash, 0, input));
        Message.Result result = (Message.Result) broker.next(Command.RESULT, WAIT).message();
        assertThat(result.outputs()).isEqualTo(reference.run(TestModels.BLAZEFACE, hash, List.of(input)));
        assertThat(broker.fetches()).isEmpty(); // found in the cache at start
    }

    @Test
    void aModelTheBrokerLacksFailsItsTasksWithModelMissing() throws Exception {
        BrokerPeer broker = fx.peer();
        fx.start(fx.config(broker.port()));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();

        Message.Task task = Fixture.task("ab".repeat(32), 1000, TestModels.randomFloats("", FACE_SHAPE, 16));
        broker.send(agentId, task);
        Message.Failed failed = (Message.Failed) broker.next(Command.FAILED, WAIT).message();
        assertThat(failed.taskId()).isEqualTo(task.taskId());
        assertThat(failed.code()).isEqualTo(ErrorCode.MODEL_MISSING);
    }

    @Test
    void bytesThatDoNotHashToTheModelIdFailWithHashMismatch() throws Exception {
        BrokerPeer broker = fx.peer();
        String claimed = TestModels.sha256(TestModels.BLAZEFACE);
        byte[] other = TestModels.bytes(TestModels.MLSD);
        broker.serve(claimed, other); // chunks are intact (CRCs match), the whole is not the model
        EdgeAgent agent = fx.start(fx.config(broker.port()));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();

        Message.Task task = Fixture.task(claimed, other.length, TestModels.randomFloats("", FACE_SHAPE, 17));
        broker.send(agentId, task);
        Message.Failed failed = (Message.Failed) broker.next(Command.FAILED, WAIT).message();
        assertThat(failed.taskId()).isEqualTo(task.taskId());
        assertThat(failed.code()).isEqualTo(ErrorCode.HASH_MISMATCH);
        assertThat(agent.cachedModels()).isEmpty();
        try (var files = Files.list(agent.config().cacheDir())) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aTaskWhoseDeadlinePassedBeforeItStartedIsAnsweredWithoutRunning() throws Exception {
        BrokerPeer broker = fx.peer();
        String hash = broker.serve(TestModels.BLAZEFACE);
        broker.hold = true;
        fx.start(fx.config(broker.port()));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();

        Message.Task task = new Message.Task(java.util.UUID.randomUUID(), 2, hash, Files.size(TestModels.BLAZEFACE), 50,
                List.of(TestModels.randomFloats("", FACE_SHAPE, 18)));
        broker.send(agentId, task);
        broker.next(Command.FETCH, WAIT);
        Thread.sleep(200);
        broker.hold = false;

        assertThat(broker.next(Command.FAILED, WAIT).message())
                .isEqualTo(new Message.Failed(task.taskId(), 2, ErrorCode.BAD_REQUEST, "deadline passed before the task started"));
    }

    @Test
    void tasksForAModelBeingFetchedWaitForTheOneFetchAndDuplicatesAreIgnored() throws Exception {
        BrokerPeer broker = fx.peer();
        String hash = broker.serve(TestModels.MLSD);
        broker.hold = true;
        EdgeAgent agent = fx.start(fx.config(broker.port()).withSlots(2));
        byte[] agentId = broker.next(Command.READY, WAIT).identity();

        Message.Task one = Fixture.task(hash, Files.size(TestModels.MLSD), TestModels.randomFloats("", MLSD_SHAPE, 19));
        Message.Task two = Fixture.task(hash, Files.size(TestModels.MLSD), TestModels.randomFloats("", MLSD_SHAPE, 20));
        broker.send(agentId, one);
        broker.send(agentId, one);
        broker.send(agentId, two);
        Message.Heartbeat hb;
        do { // a heartbeat sent before the tasks arrived may be queued first
            hb = (Message.Heartbeat) broker.next(Command.HEARTBEAT, WAIT).message();
        } while (hb.inflightTasks().isEmpty());
        assertThat(hb.inflightTasks()).containsExactlyInAnyOrder(one.taskId(), two.taskId());
        broker.hold = false;

        var ids = List.of(broker.next(Command.RESULT, WAIT), broker.next(Command.RESULT, WAIT)).stream()
                .map(r -> ((Message.Result) r.message()).taskId()).toList();
        assertThat(ids).containsExactlyInAnyOrder(one.taskId(), two.taskId());
        assertThat(broker.poll(Command.RESULT, Duration.ofMillis(500))).isNull();
        assertThat(broker.fetches()).hasSize(3);
        assertThat(agent.tasksDone()).isEqualTo(2);
    }
}
