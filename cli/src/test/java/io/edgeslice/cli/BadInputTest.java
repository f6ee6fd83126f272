package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeslice.broker.Broker;
import io.edgeslice.broker.BrokerConfig;
import io.edgeslice.client.ClientException;
import io.edgeslice.client.EdgeSliceClient;
import io.edgeslice.client.TaskOutcome;
import io.edgeslice.client.TaskRequest;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Npy;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Every kind of bad input gets a specific error back, is logged, and takes nothing down: after
 * each, a good task still runs on the same broker and agent.
 */
class BadInputTest {
    private static final long LIMIT = 1 << 20;

    @TempDir
    static Path dir;
    static Broker broker;
    static Cluster cluster;
    static EdgeSliceClient client;
    static Path model;
    static String hash;
    static Tensor goodInput;

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.blazefaceFront();
        cluster = Cluster.embedded(dir, BrokerConfig.onPort(0, dir.resolve("models")).withMaxMessageBytes(LIMIT));
        broker = cluster.broker();
        cluster.startAgents("a1");
        client = new EdgeSliceClient(broker.endpoint());
        hash = client.uploadModel(model, Duration.ofSeconds(30), b -> { });
        goodInput = TestModels.randomInput(TestModels.inputShape(model), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        cluster.close(); // its broker too
    }

    private static TaskOutcome runOne(List<Tensor> inputs) {
        return client.run(List.of(TaskRequest.of(hash, inputs, 5, 0)), 1, Duration.ofSeconds(60), o -> { }).get(0);
    }

    private static void stillServes() {
        TaskOutcome o = runOne(List.of(goodInput));
        assertThat(o.status()).as("a good task after the bad input").isEqualTo(TaskOutcome.Status.OK);
        assertThat(broker.snapshot().agents()).anyMatch(r -> r.name().equals("a1") && r.state().equals("healthy"));
    }

    /** A DEALER whose connection is known to be up (JeroMQ may stall a fresh handshake under load). */
    private static ZMQ.Socket connected(ZContext ctx) {
        ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
        s.setHandshakeIvl(1000);
        s.setReceiveTimeOut(1000);
        s.connect(broker.endpoint());
        for (int attempt = 0; attempt < 10; attempt++) {
            Wire.send(s, null, new Message.ListAgents(), false);
            if (Wire.receive(s, 0) != null) {
                s.setReceiveTimeOut(300);
                while (Wire.receive(s, 0) != null) {
                    // drop late duplicates
                }
                return s;
            }
        }
        throw new AssertionError("cannot connect to the broker");
    }

    /** Sends raw frames from a fresh DEALER and returns the broker's answer. */
    private static Message raw(List<ByteBuffer> frames) {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket s = connected(ctx);
            Wire.send(s, null, frames, false);
            s.setReceiveTimeOut(5000);
            List<ByteBuffer> answer = Wire.receive(s, 0);
            assertThat(answer).as("an answer from the broker").isNotNull();
            return Codec.decode(answer);
        }
    }

    @Test
    void unknownCommandIsAnsweredMalformed() {
        Message m = raw(List.of(ByteBuffer.wrap(new byte[] {'E', 'S', 1, 0x7f}), ByteBuffer.allocate(0)));
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.MALFORMED);
            assertThat(f.message()).contains("unknown command 0x7f");
        });
        stillServes();
    }

    @Test
    void garbageFramesAreAnsweredMalformed() {
        Message m = raw(List.of(ByteBuffer.wrap("hello".getBytes()), ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.MALFORMED));
        stillServes();
    }

    @Test
    void truncatedBodyIsAnsweredMalformed() {
        List<ByteBuffer> frames = Codec.encode(new Message.Query(UUID.randomUUID()));
        frames.set(1, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Message m = raw(frames);
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.MALFORMED);
            assertThat(f.message()).contains("truncated");
        });
    }

    @Test
    void anotherProtocolVersionIsAnsweredVersion() {
        List<ByteBuffer> frames = Codec.encode(new Message.ListAgents());
        frames.set(0, ByteBuffer.wrap(new byte[] {(byte) 0x45, (byte) 0x53, 9, (byte) io.edgeslice.protocol.Command.LIST_AGENTS.code()}));
        Message m = raw(frames);
        assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.VERSION);
            assertThat(f.message()).contains("version 9");
        });
        stillServes();
    }

    @Test
    void aMessageOverTheSizeLimitIsAnsweredTooLarge() {
        int floats = (int) (LIMIT * 3 / 2 / 4);
        TaskOutcome o = runOne(List.of(Tensor.ofFloats("input", new long[] {floats}, new float[floats])));
        assertThat(o.status()).isEqualTo(TaskOutcome.Status.FAILED);
        assertThat(o.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(o.message()).contains("exceeds the broker's limit");
        stillServes();
    }

    @Test
    void aFileThatIsNotOnnxIsRefusedBeforeUpload() throws Exception {
        Path notOnnx = dir.resolve("notes.onnx");
        Files.writeString(notOnnx, "this is not a model");
        assertThatThrownBy(() -> client.uploadModel(notOnnx, Duration.ofSeconds(10), b -> { }))
                .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_MODEL))
                .hasMessageContaining("not an ONNX model");
    }

    @Test
    void aModelThatFailsToLoadFailsItsTaskWithBadModel() throws Exception {
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 3));
        String badHash = client.uploadModel(truncated, Duration.ofSeconds(30), b -> { });
        TaskOutcome o = client.run(List.of(TaskRequest.of(badHash, List.of(goodInput), 5, 0)), 1, Duration.ofSeconds(60), x -> { }).get(0);
        assertThat(o.status()).isEqualTo(TaskOutcome.Status.FAILED);
        assertThat(o.code()).isEqualTo(ErrorCode.BAD_MODEL);
        assertThat(o.message()).contains("a1");
        stillServes();
    }

    @Test
    void anInputOfTheWrongShapeOrTypeFailsWithBadInput() {
        TaskOutcome wrongShape = runOne(List.of(TestModels.randomInput(new long[] {1, 3, 64, 64}, 2)));
        assertThat(wrongShape.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(wrongShape.message()).contains("1x3x64x64");
        ByteBuffer ints = ByteBuffer.allocate(4 * 3 * 128 * 128);
        TaskOutcome wrongType = runOne(List.of(new Tensor("", io.edgeslice.protocol.DType.INT32, goodInput.shape(), ints)));
        assertThat(wrongType.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(wrongType.message()).contains("int32");
        stillServes();
    }

    @Test
    void modelBytesThatDoNotMatchTheirHashAreRefused() throws Exception {
        byte[] bytes = new byte[1000];
        new Random(5).nextBytes(bytes);
        String claimed = Hashing.sha256(new byte[] {1});
        Message offer = raw(Codec.encode(new Message.ModelOffer(claimed, bytes.length)));
        assertThat(offer).isInstanceOf(Message.ModelStatus.class);
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket s = connected(ctx);
            Wire.send(s, null, new Message.ModelOffer(claimed, bytes.length), false);
            Wire.send(s, null, new Message.ModelChunk(claimed, 0, Hashing.crc32c(ByteBuffer.wrap(bytes)), ByteBuffer.wrap(bytes)), false);
            s.setReceiveTimeOut(5000);
            Codec.decode(Wire.receive(s, 0)); // status for the offer
            Message m = Codec.decode(Wire.receive(s, 0));
            assertThat(m).isInstanceOfSatisfying(Message.Failed.class, f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.HASH_MISMATCH);
                assertThat(f.message()).contains(claimed);
            });
        }
        stillServes();
    }

    @Test
    void aCorruptOrTruncatedNpyIsACommandLineError() throws Exception {
        Path truncated = dir.resolve("truncated.npy");
        byte[] npy = Npy.encode(goodInput);
        Files.write(truncated, Arrays.copyOf(npy, npy.length - 100));
        Path corrupt = dir.resolve("corrupt.npy");
        Files.writeString(corrupt, "not numpy at all");
        for (Path bad : List.of(truncated, corrupt)) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            var cl = EdgeSliceCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute("submit", "--broker", broker.endpoint(), "--model", model.toString(), "--input", bad.toString());
            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains(bad.getFileName().toString()).containsAnyOf("truncated", "not a .npy file");
        }
        stillServes();
    }

    @Test
    void submitWritesOneNpyPerOutput() throws Exception {
        Path in = dir.resolve("in.npy");
        Npy.write(in, goodInput);
        Path out = dir.resolve("out");
        int code = EdgeSliceCommand.commandLine().execute("submit", "--broker", broker.endpoint(), "--model", model.toString(),
                "--input", in.toString(), "--out", out.toString(), "--json");
        assertThat(code).isZero();
        List<Tensor> expected = TestModels.reference(model, goodInput);
        List<Tensor> written = new ArrayList<>();
        for (Tensor e : expected) {
            written.add(Npy.read(out.resolve(Inputs.fileName(e.name())), e.name()));
        }
        assertThat(TestModels.maxAbsDiff(expected, written)).isLessThanOrEqualTo(1e-5);
    }
}
