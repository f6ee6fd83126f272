package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;

/**
 * How activation tensors travel between stages. NONE sends raw bytes (fast links); LZ4 compresses
 * each tensor's data losslessly (worth it on slow links and sparse activations); FP16 halves
 * float32 tensors, losing precision, so results through such a route differ from the whole model.
 * SHARED is no route's choice: an agent sends with it to a peer on its own machine, each tensor in
 * a {@link SharedMemory} segment as a reference to it, the others raw.
 */
public enum Transport {
    NONE(0), LZ4(1), FP16(2), SHARED(3);

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4FastDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().fastDecompressor();
    private final int code;

    Transport(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Whether results through this transport may differ from the whole model's. */
    public boolean lossy() {
        return this == FP16;
    }

    public static Transport fromCode(int code) {
        for (Transport t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED, "unknown activation transport " + code);
    }

    /** A route's transport from its wire code: SHARED is chosen per link by agents, never by a route. */
    static Transport forRoute(int code) {
        Transport t = fromCode(code);
        if (t == SHARED) {
            throw new ProtocolException(ErrorCode.MALFORMED, ROUTE_RULE);
        }
        return t;
    }

    static final String ROUTE_RULE = "a route's transport is NONE, LZ4 or FP16: agents on one machine choose SHARED (shared memory) by themselves";

    /** The data frame of a tensor on the wire. */
    ByteBuffer encode(Tensor t) {
        ByteBuffer raw = t.data().duplicate();
        switch (this) {
            case LZ4 -> {
                byte[] src = new byte[raw.remaining()];
                raw.get(src);
                byte[] packed = new byte[4 + COMPRESSOR.maxCompressedLength(src.length)];
                int n = COMPRESSOR.compress(src, 0, src.length, packed, 4);
                ByteBuffer.wrap(packed).putInt(src.length);
                return ByteBuffer.wrap(packed, 0, 4 + n).slice();
            }
            case FP16 -> {
                if (t.dtype() != DType.FLOAT32) {
                    return raw;
                }
                ByteBuffer in = raw.order(ByteOrder.LITTLE_ENDIAN);
                int count = in.remaining() / 4;
                ByteBuffer out = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    out.putShort(Half.fromFloat(in.getFloat(i * 4)));
                }
                return out.flip();
            }
            case SHARED -> {
                ByteBuffer ref = SharedMemory.referenceFrame(t);
                return ref != null ? ref : raw;
            }
            default -> {
                return raw;
            }
        }
    }

    /** The raw little-endian bytes of a tensor of this dtype and shape, from its wire frame. */
    ByteBuffer decode(DType dtype, long[] shape, ByteBuffer frame, String name) {
        long rawBytes = Tensor.byteSize(dtype, shape);
        switch (this) {
            case LZ4 -> {
                ByteBuffer f = frame.duplicate();
                if (f.remaining() < 4 || f.getInt() != rawBytes) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "lz4 tensor '" + name + "' does not announce its " + rawBytes + " raw bytes");
                }
                byte[] src = new byte[f.remaining()];
                f.get(src);
                byte[] out = new byte[(int) rawBytes];
                try {
                    DECOMPRESSOR.decompress(src, 0, out, 0, out.length);
                } catch (RuntimeException e) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "lz4 tensor '" + name + "' does not decompress: " + e.getMessage());
                }
                return ByteBuffer.wrap(out);
            }
            case FP16 -> {
                if (dtype != DType.FLOAT32 || frame.remaining() == rawBytes) {
                    return frame;
                }
                if (frame.remaining() * 2L != rawBytes) {
                    throw new ProtocolException(ErrorCode.MALFORMED, "fp16 tensor '" + name + "' carries " + frame.remaining() + " bytes, not " + rawBytes / 2);
                }
                ByteBuffer in = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                int count = in.remaining() / 2;
                ByteBuffer out = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    out.putFloat(Float.intBitsToFloat(Half.toFloatBits(in.getShort(i * 2))));
                }
                return out.flip();
            }
            case SHARED -> {
                // references are only sent for tensors of at least MIN_SEGMENT_BYTES, far longer than any reference
                return frame.remaining() == rawBytes ? frame : SharedMemory.resolve(frame, name);
            }
            default -> {
                return frame;
            }
        }
    }
}
