package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class BufferPoolTest {
    private static Tensor owned(BufferPool pool, int floats) {
        return pool.newTensor("t", DType.FLOAT32, new long[] {floats}, true, null);
    }

    @Test
    void aNewTensorCopiesItsContentIntoAPooledBufferItOwns() {
        BufferPool pool = new BufferPool(1 << 20, 4);
        Tensor source = Tensor.ofFloats("x", new long[] {2, 2}, new float[] {1, 2, 3, 4});

        Tensor copy = pool.newTensor("y", DType.FLOAT32, new long[] {2, 2}, false, source);

        assertThat(copy.name()).isEqualTo("y");
        assertThat(copy.data().isDirect()).isTrue();
        assertThat(copy.data()).isEqualTo(source.data());
        assertThat(source.data().position()).as("the source is left as it was").isZero();
        pool.release(List.of(copy));
        assertThat(pool.idleBytes()).as("owned by the copy: released with it").isEqualTo(16);
    }

    @Test
    void aReleasedBufferIsHandedOutAgainForTheSameSize() {
        BufferPool pool = new BufferPool(1 << 20, 4);
        Tensor t = owned(pool, 1000);
        t.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0, 42f);

        pool.release(List.of(t));
        ByteBuffer again = pool.take(4000);

        assertThat(again.isDirect()).isTrue();
        assertThat(again.capacity()).isEqualTo(4000);
        assertThat(again.position()).isZero();
        assertThat(again.order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0)).as("the same memory, not a new buffer").isEqualTo(42f);
        assertThat(pool.idleBytes()).isZero();
    }

    @Test
    void tensorsNotFromThePoolAndSecondReleasesAreIgnored() {
        BufferPool pool = new BufferPool(1 << 20, 4);
        Tensor t = owned(pool, 10);
        pool.release(List.of(Tensor.ofFloats("x", new long[] {10}, new float[10]), t));
        pool.release(List.of(t));

        assertThat(pool.idleBytes()).isEqualTo(40);
    }

    @Test
    void idleBuffersStayWithinTheLimits() {
        BufferPool pool = new BufferPool(100, 2);
        pool.release(List.of(owned(pool, 10), owned(pool, 10), owned(pool, 10)));
        assertThat(pool.idleBytes()).as("two of a size").isEqualTo(80);

        pool.release(List.of(owned(pool, 20)));
        assertThat(pool.idleBytes()).as("not beyond the byte limit").isEqualTo(80);
    }

    @Test
    void aFrameReceivedIntoThePoolBelongsToTheTensorDecodedFromIt() {
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
            Wire.receiveTensorsDirect(router);
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setHandshakeIvl(1000); // a stalled JeroMQ handshake reconnects in 1 s, not 30 (the message waits in the pipe)
            dealer.connect("tcp://127.0.0.1:" + port);
            Tensor big = Tensor.ofFloats("x", new long[] {1 << 16}, new float[1 << 16]); // 256 KiB: above the pooled size
            Message submit = new Message.Submit(SampleMessages.TASK_ID, 4, 0, SampleMessages.MODEL_HASH, List.of(big));
            assertThat(Wire.send(dealer, null, submit, false)).isTrue();

            List<ByteBuffer> frames = Wire.receive(router, 0);
            Message.Submit got = (Message.Submit) Codec.decode(frames.subList(1, frames.size()));
            long idle = BufferPool.SHARED.idleBytes();
            BufferPool.SHARED.release(got.inputs());

            assertThat(got).isEqualTo(submit);
            assertThat(got.inputs().get(0).data().isDirect()).isTrue();
            assertThat(BufferPool.SHARED.idleBytes() - idle).isIn(0L, (long) big.byteSize()); // 0 only if the pool was full
            assertThat(BufferPool.SHARED.take(big.byteSize()).capacity()).isEqualTo(big.byteSize());
        }
    }
}
