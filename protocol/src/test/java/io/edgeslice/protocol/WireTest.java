package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** Messages survive a real JeroMQ ROUTER/DEALER hop, routing identity included. */
class WireTest {
    @Test
    void aMessageCrossesDealerToRouterAndBack() {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            router.bind("inproc://wire-test");
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setIdentity(new byte[] {1, 2, 3});
            dealer.connect("inproc://wire-test");
            Tensor big = Tensor.ofFloats("x", new long[] {1 << 18}, new float[1 << 18]); // 1 MiB: a direct buffer on receipt
            Message submit = new Message.Submit(SampleMessages.TASK_ID, 4, 0, SampleMessages.MODEL_HASH, List.of(big, SampleMessages.input()));

            assertThat(Wire.send(dealer, null, submit, false)).isTrue();
            List<ByteBuffer> atRouter = Wire.receive(router, 0);

            assertThat(atRouter.get(0)).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            List<ByteBuffer> frames = atRouter.subList(1, atRouter.size());
            assertThat(Codec.decode(frames)).isEqualTo(submit);
            assertThat(Wire.size(frames)).isEqualTo(Wire.size(Codec.encode(submit)));

            Message result = new Message.Result(SampleMessages.TASK_ID, 1, "a", 9, List.of(SampleMessages.output()));
            assertThat(Wire.send(router, new byte[] {1, 2, 3}, result, true)).isTrue();
            assertThat(Codec.decode(Wire.receive(dealer, 0))).isEqualTo(result);
            assertThat(Wire.receive(dealer, ZMQ.DONTWAIT)).isNull();
        }
    }

    @Test
    void nextMessageSkipsMalformedMessagesAfterReportingThemAndDropsARoutersIdentity() throws Exception {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            router.bind("inproc://wire-next");
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            dealer.connect("inproc://wire-next");
            Message ack = new Message.Ack(SampleMessages.TASK_ID, 1, 7);
            dealer.send("not a message"); // one frame: no EdgeSlice signature
            Wire.send(dealer, null, ack, false);
            List<ProtocolException> bad = new java.util.ArrayList<>();
            Message got = null;
            for (int i = 0; i < 100 && got == null; i++) {
                got = Wire.nextMessage(router, true, bad::add);
                Thread.sleep(got == null ? 10 : 0);
            }

            assertThat(got).isEqualTo(ack);
            assertThat(bad).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
            assertThat(Wire.nextMessage(router, true, bad::add)).as("nothing else waits").isNull();
        }
    }
}
