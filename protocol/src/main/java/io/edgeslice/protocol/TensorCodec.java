package io.edgeslice.protocol;

import java.nio.ByteBuffer;

/** A tensor travels as two frames: header (name, dtype, rank, dims) and raw little-endian data. */
final class TensorCodec {
    private TensorCodec() {
    }

    static ByteBuffer encodeHeader(Tensor t) {
        BodyWriter w = new BodyWriter(16 + t.name().length() + 8 * t.shape().length);
        w.str(t.name()).u8(t.dtype().code()).u8(t.shape().length);
        for (long d : t.shape()) {
            w.i64(d);
        }
        return w.finish();
    }

    static Tensor decode(ByteBuffer header, ByteBuffer data) {
        return decode(header, data, Transport.NONE);
    }

    /** A tensor whose data frame is encoded with a transport (lz4, fp16); the tensor returned is raw. */
    static Tensor decode(ByteBuffer header, ByteBuffer data, Transport transport) {
        BodyReader r = new BodyReader(header, "tensor header");
        String name = r.str();
        DType dtype = DType.fromCode(r.u8());
        int rank = r.u8();
        if (rank > Tensor.MAX_RANK) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + name + "' has rank " + rank + ", more than " + Tensor.MAX_RANK);
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = r.i64();
        }
        r.end();
        long expected;
        try {
            expected = Tensor.byteSize(dtype, shape);
        } catch (ArithmeticException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + name + "' shape " + Tensor.shapeString(shape) + " overflows");
        }
        data = transport.decode(dtype, shape, data, name);
        if (expected != data.remaining()) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + name + "' of " + dtype.lowerName() + " " + Tensor.shapeString(shape)
                    + " needs " + expected + " bytes but its data frame has " + data.remaining());
        }
        return new Tensor(name, dtype, shape, data);
    }
}
