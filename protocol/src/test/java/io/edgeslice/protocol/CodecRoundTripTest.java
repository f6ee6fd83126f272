package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodecRoundTripTest {
    private static final String HASH_B = "00".repeat(31) + "ff";

    /** The samples plus edge cases: empty lists and strings, extremes, several tensors, non-ASCII text. */
    static Stream<Message> messages() {
        List<Message> m = new ArrayList<>(SampleMessages.all());
        UUID max = new UUID(-1, -1);
        m.add(new Message.Ready("", Long.MIN_VALUE, "", new Message.Capabilities("", "", "", 0, 0, List.of(), 0, "")));
        m.add(new Message.Ready("kamera-ü-日本", Long.MAX_VALUE, "tcp://[::1]:1", new Message.Capabilities("h", "x86_64", "Linux", 64,
                Long.MAX_VALUE, List.of("CUDA", "TensorRT", "CPU"), Integer.MAX_VALUE, "onnxruntime-1.23.2 amd64 avx+avx2+fma")));
        m.add(new Message.Heartbeat(Long.MAX_VALUE, Double.NaN, -1, Long.MAX_VALUE, Double.POSITIVE_INFINITY,
                List.of(SampleMessages.TASK_ID, max, Message.NO_TASK), List.of(SampleMessages.MODEL_HASH, HASH_B), Long.MIN_VALUE, 0));
        m.add(new Message.Task(max, Integer.MAX_VALUE, HASH_B, Long.MAX_VALUE, 0, List.of(SampleMessages.input(), scalar(), empty())));
        m.add(new Message.Result(max, -1, "", 0, List.of()));
        m.add(new Message.Submit(max, 9, Long.MAX_VALUE, HASH_B, List.of(SampleMessages.input(), SampleMessages.output())));
        m.add(new Message.Submit(Message.NO_TASK, 0, 0, HASH_B, List.of()));
        m.add(new Message.Chunk(HASH_B, Long.MAX_VALUE, Long.MAX_VALUE, Message.Chunk.CODEC_ZSTD, 0, -1, ByteBuffer.allocate(0)));
        m.add(new Message.ModelChunk(HASH_B, 1L << 40, Integer.MIN_VALUE, ByteBuffer.wrap(new byte[1 << 16])));
        m.add(new Message.ModelStatus(HASH_B, false, 0));
        m.add(new Message.Disconnect("Ωμέγα \uD83D\uDE00 tab\tnewline\n"));
        m.add(new Message.Agents(List.of()));
        for (ErrorCode c : ErrorCode.values()) {
            m.add(new Message.Failed(Message.NO_TASK, 3, c, c.name()));
        }
        return m.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void decodeOfEncodeIsTheSameMessage(Message m) {
        List<ByteBuffer> frames = Codec.encode(m);

        assertThat(Codec.decode(frames)).isEqualTo(m);
        assertThat(Codec.decode(copies(frames))).as("from private copies of the frames").isEqualTo(m);
        assertThat(frames.get(0).remaining()).isEqualTo(4);
    }

    @Test
    void everyCommandIsCovered() {
        Set<Command> covered = messages().map(Message::command).collect(Collectors.toCollection(() -> EnumSet.noneOf(Command.class)));
        assertThat(covered).containsExactlyInAnyOrder(Command.values());
    }

    static Stream<Arguments> tensorsOfEveryType() {
        List<Arguments> out = new ArrayList<>();
        long[][] shapes = {{}, {5}, {2, 3}, {1, 2, 1, 2}, {0, 4}};
        for (DType t : DType.values()) {
            for (long[] shape : shapes) {
                out.add(Arguments.of(t, shape));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tensorsOfEveryType")
    void tensorsOfEveryTypeAndShapeRoundTrip(DType type, long[] shape) {
        int n = (int) Tensor.elementCount(shape);
        byte[] data = new byte[n * type.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 37 + 11);
        }
        Tensor t = new Tensor("t-" + type.lowerName(), type, shape, ByteBuffer.wrap(data));
        Message.Result r = new Message.Result(SampleMessages.TASK_ID, 1, "a", 5, List.of(t, t.withName("copy")));

        Message.Result back = (Message.Result) Codec.decode(copies(Codec.encode(r)));

        assertThat(back).isEqualTo(r);
        assertThat(back.outputs().get(0).shape()).containsExactly(shape);
        assertThat(back.outputs().get(0).dtype()).isEqualTo(type);
        assertThat(back.outputs().get(0).toDoubles()).containsExactly(t.toDoubles());
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void decodedTensorDataIsAViewOfTheReceivedFrame(boolean direct) {
        List<ByteBuffer> frames = copies(Codec.encode(new Message.Submit(SampleMessages.TASK_ID, 1, 0, SampleMessages.MODEL_HASH,
                List.of(Tensor.ofFloats("x", new long[] {1 << 18}, new float[1 << 18])))));
        if (direct) { // JeroMQ hands large frames over as direct buffers
            ByteBuffer d = ByteBuffer.allocateDirect(frames.get(3).remaining());
            d.put(frames.get(3).duplicate()).flip();
            frames.set(3, d);
        }
        Tensor t = ((Message.Submit) Codec.decode(frames)).inputs().get(0);

        frames.get(3).duplicate().order(ByteOrder.LITTLE_ENDIAN).putFloat(8, 7.25f); // element 2, written through the frame

        assertThat(t.data().getFloat(8)).isEqualTo(7.25f);
        assertThat(t.data().isDirect()).isEqualTo(direct);
        if (!direct) {
            assertThat(t.data().array()).isSameAs(frames.get(3).array());
        }
    }

    @Test
    void encodedTensorFramesShareTheTensorsData() {
        Tensor t = SampleMessages.input();
        List<ByteBuffer> frames = Codec.encode(new Message.Submit(SampleMessages.TASK_ID, 1, 0, SampleMessages.MODEL_HASH, List.of(t)));

        t.data().putFloat(0, 99f);

        assertThat(frames.get(3).order(ByteOrder.LITTLE_ENDIAN).getFloat(0)).isEqualTo(99f);
    }

    @Test
    void aStringLongerThanTheLimitIsCutAtACharacterBoundary() {
        String message = "é".repeat(40_000); // 80,000 bytes; byte 65,535 is the middle of a character

        Message.Failed back = (Message.Failed) Codec.decode(Codec.encode(new Message.Failed(Message.NO_TASK, 0, ErrorCode.INTERNAL, message)));

        assertThat(back.message()).isEqualTo("é".repeat(32_767));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 256, 1000})
    void aU8FieldOutOfRangeIsRefusedNotWrapped(int priority) {
        Message.Submit s = new Message.Submit(SampleMessages.TASK_ID, priority, 0, SampleMessages.MODEL_HASH, List.of(SampleMessages.input()));

        assertThatIllegalArgumentException().isThrownBy(() -> Codec.encode(s)).withMessageContaining("8 bits");
    }

    @Test
    void tensorFramesRoundTripForStorage() {
        List<Tensor> tensors = List.of(SampleMessages.input(), scalar(), empty());

        assertThat(Codec.tensorsFromFrames(copies(Codec.tensorFrames(tensors)))).isEqualTo(tensors);
    }

    static Tensor scalar() {
        return new Tensor("s", DType.INT64, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5));
    }

    static Tensor empty() {
        return new Tensor("", DType.FLOAT16, new long[] {3, 0}, ByteBuffer.allocate(0));
    }

    /** Fresh heap copies, as if the frames had come off a socket. */
    static List<ByteBuffer> copies(List<ByteBuffer> frames) {
        List<ByteBuffer> out = new ArrayList<>();
        for (ByteBuffer f : frames) {
            byte[] b = new byte[f.remaining()];
            f.duplicate().get(b);
            out.add(ByteBuffer.wrap(b));
        }
        return out;
    }
}
