package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input is a ProtocolException with the right code and a message that names the problem. */
class CodecRejectTest {
    private static final ByteBuffer SUBMIT_BODY = frames(sample(Command.SUBMIT)).get(1);

    static Stream<Arguments> badMessages() {
        ByteBuffer query = body(w -> w.uuid(SampleMessages.TASK_ID));
        List<ByteBuffer> submit = frames(sample(Command.SUBMIT));
        ByteBuffer eight = ByteBuffer.allocate(8);
        return Stream.of(
                bad("no frames", List.of(), ErrorCode.MALFORMED, "0 frame(s)"),
                bad("signature only", List.of(sig(1, 0x13)), ErrorCode.MALFORMED, "1 frame(s)"),
                bad("wrong magic", List.of(hex("45 54 01 13"), query), ErrorCode.MALFORMED, "not an EdgeSlice signature"),
                bad("lower-case magic", List.of(hex("65 73 01 13"), query), ErrorCode.MALFORMED, "not an EdgeSlice signature"),
                bad("5-byte signature", List.of(hex("45 53 01 13 00"), query), ErrorCode.MALFORMED, "not an EdgeSlice signature"),
                bad("3-byte signature", List.of(hex("45 53 01"), query), ErrorCode.MALFORMED, "not an EdgeSlice signature"),
                bad("version 2", List.of(sig(2, 0x13), query), ErrorCode.VERSION, "protocol version 2 is not supported"),
                bad("version 0", List.of(sig(0, 0x13), query), ErrorCode.VERSION, "protocol version 0"),
                bad("version 255", List.of(sig(255, 0x13), query), ErrorCode.VERSION, "protocol version 255"),
                bad("unknown command 0x7f", List.of(sig(1, 0x7f), query), ErrorCode.MALFORMED, "unknown command 0x7f"),
                bad("unknown command 0x00", List.of(sig(1, 0x00), query), ErrorCode.MALFORMED, "unknown command 0x00"),
                bad("unknown command 0x0f", List.of(sig(1, 0x0f), query), ErrorCode.MALFORMED, "unknown command 0x0f"),
                bad("truncated uuid", List.of(sig(1, 0x13), hex("3f 25 04 e0")), ErrorCode.MALFORMED, "QUERY body is truncated"),
                bad("empty body", List.of(sig(1, 0x12), hex("")), ErrorCode.MALFORMED, "EXPIRED body is truncated"),
                bad("trailing byte", List.of(sig(1, 0x13), concat(query, hex("00"))), ErrorCode.MALFORMED, "1 unexpected trailing bytes"),
                bad("body on LIST_AGENTS", List.of(sig(1, 0x17), hex("00 00")), ErrorCode.MALFORMED, "2 unexpected trailing bytes"),
                bad("tensor announced, none sent", submit.subList(0, 2), ErrorCode.MALFORMED, "announces 1 tensors but has 0 tensor frames"),
                bad("half a tensor", submit.subList(0, 3), ErrorCode.MALFORMED, "announces 1 tensors but has 1 tensor frames"),
                bad("tensor frames beyond the count", plus(submit, submit.get(2), submit.get(3)), ErrorCode.MALFORMED, "announces 1 tensors but has 4"),
                bad("65535 tensors announced", List.of(sig(1, 0x10), withTensorCount(0xffff)), ErrorCode.MALFORMED, "announces 65535 tensors"),
                bad("extra frame", plus(frames(sample(Command.HEARTBEAT)), hex("00")), ErrorCode.MALFORMED, "HEARTBEAT has 3 frames; expected 2"),
                bad("payload missing", frames(sample(Command.CHUNK)).subList(0, 2), ErrorCode.MALFORMED, "CHUNK lacks its data frame"),
                bad("two payloads", plus(frames(sample(Command.MODEL_CHUNK)), hex("00")), ErrorCode.MALFORMED, "MODEL_CHUNK has 4 frames; expected 3"),
                bad("data a byte short", tensor(header("x", 1, 1, 2), ByteBuffer.allocate(7)), ErrorCode.MALFORMED,
                        "tensor 'x' of float32 2 needs 8 bytes but its data frame has 7"),
                bad("data a byte long", tensor(header("x", 1, 2, 1, 2), ByteBuffer.allocate(9)), ErrorCode.MALFORMED, "needs 8 bytes but its data frame has 9"),
                bad("scalar without data", tensor(header("x", 8, 0), ByteBuffer.allocate(0)), ErrorCode.MALFORMED, "needs 8 bytes but its data frame has 0"),
                bad("negative dimension", tensor(header("x", 1, 2, 2, -1), eight), ErrorCode.MALFORMED, "negative dimension"),
                bad("rank 17", tensor(header("x", 1, 17, new long[17]), ByteBuffer.allocate(0)), ErrorCode.MALFORMED, "rank 17, more than 16"),
                bad("rank 255", tensor(header("x", 1, 255), ByteBuffer.allocate(0)), ErrorCode.MALFORMED, "rank 255"),
                bad("dtype code 0", tensor(header("x", 0, 1, 2), eight), ErrorCode.MALFORMED, "unknown tensor dtype code 0"),
                bad("dtype code 10", tensor(header("x", 10, 1, 2), eight), ErrorCode.MALFORMED, "unknown tensor dtype code 10"),
                bad("shape overflowing", tensor(header("x", 1, 2, 1L << 62, 1L << 62), eight), ErrorCode.MALFORMED, "overflows"),
                bad("rank 2 with one dim", tensor(header("x", 1, 2, 2), eight), ErrorCode.MALFORMED, "tensor header body is truncated"),
                bad("header trailing bytes", tensor(concat(header("x", 1, 1, 2), hex("00")), eight), ErrorCode.MALFORMED, "trailing bytes"),
                bad("string 0xff", List.of(sig(1, 0x08), hex("00 01 ff")), ErrorCode.MALFORMED, "DISCONNECT carries a string that is not UTF-8"),
                bad("overlong NUL c0 80", List.of(sig(1, 0x08), hex("00 02 c0 80")), ErrorCode.MALFORMED, "not UTF-8"),
                bad("surrogate ed a0 80", List.of(sig(1, 0x08), hex("00 03 ed a0 80")), ErrorCode.MALFORMED, "not UTF-8"),
                bad("cut character e6 97", List.of(sig(1, 0x08), hex("00 02 e6 97")), ErrorCode.MALFORMED, "not UTF-8"),
                bad("tensor name 0xfe", tensor(concat(hex("00 01 fe"), hex("01 01 00 00 00 00 00 00 00 02")), eight), ErrorCode.MALFORMED,
                        "tensor header carries a string that is not UTF-8"),
                bad("string past the end", List.of(sig(1, 0x08), hex("00 05 61 62")), ErrorCode.MALFORMED, "DISCONNECT body is truncated"),
                bad("65535 uuids announced", List.of(sig(1, 0x02), body(w -> w.i64(1).f64(0).i64(0).i64(0).f64(0).i64(0).i64(0).u16(0xffff))),
                        ErrorCode.MALFORMED, "HEARTBEAT announces 65535 items but carries too few bytes"),
                bad("agent row announced, none sent", List.of(sig(1, 0x18), hex("00 01")), ErrorCode.MALFORMED, "AGENTS announces 1 items"),
                bad("undeploy flag 2", List.of(sig(1, 0x25), body(w -> w.hash(SampleMessages.MODEL_HASH).u8(2).u8(0))), ErrorCode.MALFORMED,
                        "every replica must be 0 or 1"),
                bad("undeploy every replica, replica 3", List.of(sig(1, 0x25), body(w -> w.hash(SampleMessages.MODEL_HASH).u8(1).u8(3))),
                        ErrorCode.MALFORMED, "replica must be 0 when every replica is withdrawn, got 3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badMessages")
    void isRejected(String name, List<ByteBuffer> frames, ErrorCode code, String fragment) {
        assertThatThrownBy(() -> Codec.decode(frames)).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(fragment);
        });
    }

    static Stream<Message> samplesWithABody() {
        return SampleMessages.all().stream().filter(m -> frames(m).get(1).remaining() > 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplesWithABody")
    void everyMessageCutShortByOneByteIsRejected(Message m) {
        List<ByteBuffer> frames = frames(m);
        frames.set(1, frames.get(1).slice(0, frames.get(1).remaining() - 1));

        // a count checked against the bytes left may notice first
        assertThatThrownBy(() -> Codec.decode(frames)).isInstanceOf(ProtocolException.class).hasMessageMatching(".*(truncated|too few bytes).*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgeslice.protocol.SampleMessages#all")
    void everyMessageWithATrailingByteIsRejected(Message m) {
        List<ByteBuffer> frames = frames(m);
        frames.set(1, concat(frames.get(1), hex("2a")));

        assertThatThrownBy(() -> Codec.decode(frames)).isInstanceOf(ProtocolException.class).hasMessageContaining("1 unexpected trailing bytes");
    }

    private static Arguments bad(String name, List<ByteBuffer> frames, ErrorCode code, String fragment) {
        return Arguments.of(name, frames, code, fragment);
    }

    private static Message sample(Command c) {
        return SampleMessages.all().stream().filter(m -> m.command() == c).findFirst().orElseThrow();
    }

    private static List<ByteBuffer> frames(Message m) {
        return CodecRoundTripTest.copies(Codec.encode(m));
    }

    /** A SUBMIT of one tensor with the given header and data frames. */
    private static List<ByteBuffer> tensor(ByteBuffer header, ByteBuffer data) {
        return List.of(sig(1, 0x10), SUBMIT_BODY.duplicate(), header, data);
    }

    private static ByteBuffer withTensorCount(int n) {
        ByteBuffer b = concat(SUBMIT_BODY, hex(""));
        b.putShort(b.limit() - 2, (short) n);
        return b;
    }

    private static ByteBuffer header(String name, int dtype, int rank, long... dims) {
        return body(w -> {
            w.str(name).u8(dtype).u8(rank);
            for (long d : dims) {
                w.i64(d);
            }
        });
    }

    private static ByteBuffer sig(int version, int command) {
        return ByteBuffer.wrap(new byte[] {'E', 'S', (byte) version, (byte) command});
    }

    private static ByteBuffer body(Consumer<BodyWriter> fields) {
        BodyWriter w = new BodyWriter(16);
        fields.accept(w);
        return w.finish();
    }

    private static ByteBuffer hex(String s) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(s.replace(" ", "")));
    }

    private static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
        ByteBuffer out = ByteBuffer.allocate(a.remaining() + b.remaining());
        out.put(a.duplicate()).put(b.duplicate()).flip();
        return out;
    }

    private static List<ByteBuffer> plus(List<ByteBuffer> frames, ByteBuffer... more) {
        List<ByteBuffer> out = new ArrayList<>(frames);
        out.addAll(List.of(more));
        return out;
    }
}
