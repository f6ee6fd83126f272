package io.edgeslice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TransportTest {
    private static Tensor activation() {
        float[] v = new float[4096];
        Random r = new Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 3 == 0 ? 0f : (float) r.nextGaussian(); // a third zeros, as after a ReLU
        }
        return Tensor.ofFloats("act", new long[] {1, 4096}, v);
    }

    private static Message.Activation roundTrip(Transport t, List<Tensor> tensors) {
        Message.Activation a = new Message.Activation(UUID.randomUUID(), 1, 2, "ab".repeat(32), 2, 0, 5, "tcp://h:1", Codec.tensorsCrc(tensors), t,
                tensors);
        return (Message.Activation) Codec.decode(Codec.encode(a));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NONE", "LZ4"})
    void losslessTransportsDeliverTheExactBytes(Transport t) {
        Tensor in = activation();
        Message.Activation out = roundTrip(t, List.of(in));
        assertThat(out.transport()).isEqualTo(t);
        assertThat(out.replica()).isEqualTo(2);
        assertThat(out.tensors().get(0)).isEqualTo(in);
        assertThat(Codec.tensorsCrc(out.tensors())).isEqualTo(out.crc32c());
    }

    @Test
    void lz4MakesSparseActivationsSmallerOnTheWire() {
        Tensor in = activation();
        long raw = Codec.encode(new Message.Activation(UUID.randomUUID(), 1, 1, "ab".repeat(32), 0, 0, 1, "", 0, Transport.NONE, List.of(in)))
                .get(3).remaining();
        long packed = Codec.encode(new Message.Activation(UUID.randomUUID(), 1, 1, "ab".repeat(32), 0, 0, 1, "", 0, Transport.LZ4, List.of(in)))
                .get(3).remaining();
        assertThat(packed).isLessThan(raw);
    }

    @Test
    void fp16HalvesFloatsWithinHalfPrecisionAndLeavesOtherTypesRaw() {
        Tensor in = activation();
        Tensor ints = new Tensor("ids", DType.INT64, new long[] {2}, ByteBuffer.allocate(16).putLong(0, 7).putLong(8, -3));
        List<ByteBuffer> frames = Codec.encode(new Message.Activation(UUID.randomUUID(), 1, 1, "ab".repeat(32), 0, 0, 1, "", 0, Transport.FP16,
                List.of(in, ints)));
        assertThat(frames.get(3).remaining()).isEqualTo(in.byteSize() / 2);
        Message.Activation out = roundTrip(Transport.FP16, List.of(in, ints));
        float[] a = in.toFloats();
        float[] b = out.tensors().get(0).toFloats();
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(Math.abs(a[i]) / 1000 + 1e-4f));
        }
        assertThat(out.tensors().get(1)).isEqualTo(ints);
        assertThat(Transport.FP16.lossy()).isTrue();
    }

    @Test
    void halfConversionRoundsAndKeepsSpecialValues() {
        for (float f : new float[] {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
            assertThat(Float.intBitsToFloat(Half.toFloatBits(Half.fromFloat(f)))).isEqualTo(f);
        }
        assertThat(Float.intBitsToFloat(Half.toFloatBits(Half.fromFloat(1e6f)))).isInfinite();
        assertThat(Float.intBitsToFloat(Half.toFloatBits(Half.fromFloat(Float.NaN)))).isNaN();
    }

    @Test
    void aCorruptLz4FrameIsMalformed() {
        List<ByteBuffer> frames = Codec.encode(new Message.Activation(UUID.randomUUID(), 1, 1, "ab".repeat(32), 0, 0, 1, "", 0, Transport.LZ4,
                List.of(activation())));
        ByteBuffer bad = ByteBuffer.allocate(frames.get(3).remaining());
        bad.putInt(0, 4096 * 4);
        frames.set(3, bad);
        assertThatThrownBy(() -> Codec.decode(frames)).isInstanceOf(ProtocolException.class).hasMessageContaining("lz4");
    }
}
