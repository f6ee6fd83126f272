package io.edgeslice.bench;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encodes and decodes a SUBMIT and a RESULT carrying one 1 MiB float32 tensor. Time per operation;
 * docs/benchmarks.md turns it into GB/s as message bytes / time. The codec does not copy tensor
 * data, so encodeSubmitToWire (encode, then gather every frame into one buffer, as a socket write
 * does) and copyBaseline (one plain 1 MiB copy) show what touching the bytes costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {
    /** 1 MiB of float32. */
    public static final int ELEMENTS = 1 << 18;

    private Message.Submit submit;
    private Message.Result result;
    private List<ByteBuffer> submitFrames;
    private List<ByteBuffer> resultFrames;
    private ByteBuffer tensorData;
    private ByteBuffer wire;

    /** The SUBMIT measured here; also used by the report to count bytes per operation. */
    public static Message.Submit submit() {
        float[] values = new float[ELEMENTS];
        Random r = new Random(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextFloat();
        }
        Tensor t = Tensor.ofFloats("input", new long[] {1, ELEMENTS}, values);
        return new Message.Submit(new UUID(42, 42), 5, 30_000, Hashing.sha256(new byte[] {8}), List.of(t));
    }

    public static Message.Result result() {
        Tensor t = submit().inputs().get(0).withName("output");
        return new Message.Result(new UUID(42, 42), 1, "agent-0", 1234, List.of(t));
    }

    @Setup
    public void setUp() {
        submit = submit();
        result = result();
        submitFrames = received(Codec.encode(submit));
        resultFrames = received(Codec.encode(result));
        tensorData = submit.inputs().get(0).data();
        wire = ByteBuffer.allocateDirect(2 * ELEMENTS * 4);
    }

    /** Private copies, direct like the buffers JeroMQ hands over for large frames. */
    private static List<ByteBuffer> received(List<ByteBuffer> frames) {
        List<ByteBuffer> out = new ArrayList<>();
        for (ByteBuffer f : frames) {
            ByteBuffer c = ByteBuffer.allocateDirect(f.remaining());
            c.put(f.duplicate()).flip();
            out.add(c);
        }
        return out;
    }

    @Benchmark
    public List<ByteBuffer> encodeSubmit() {
        return Codec.encode(submit);
    }

    @Benchmark
    public Message decodeSubmit() {
        return Codec.decode(submitFrames);
    }

    @Benchmark
    public List<ByteBuffer> encodeResult() {
        return Codec.encode(result);
    }

    @Benchmark
    public Message decodeResult() {
        return Codec.decode(resultFrames);
    }

    @Benchmark
    public ByteBuffer encodeSubmitToWire() {
        wire.clear();
        for (ByteBuffer f : Codec.encode(submit)) {
            wire.put(f);
        }
        return wire;
    }

    @Benchmark
    public ByteBuffer copyBaseline() {
        wire.clear();
        wire.put(tensorData.duplicate());
        return wire;
    }
}
