package io.edgeslice.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;

/** Reads a body frame; every underflow or invalid value becomes a MALFORMED ProtocolException. */
final class BodyReader {
    private final ByteBuffer buf;
    private final String what;

    BodyReader(ByteBuffer frame, String what) {
        this.buf = frame.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.what = what;
    }

    private ProtocolException truncated() {
        return new ProtocolException(ErrorCode.MALFORMED, what + " body is truncated");
    }

    int u8() {
        try {
            return buf.get() & 0xff;
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    int u16() {
        try {
            return buf.getShort() & 0xffff;
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    int i32() {
        try {
            return buf.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    long i64() {
        try {
            return buf.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    double f64() {
        try {
            return buf.getDouble();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    boolean bool() {
        return u8() != 0;
    }

    UUID uuid() {
        return new UUID(i64(), i64());
    }

    String hash() {
        byte[] raw = bytes(32);
        return HexFormat.of().formatHex(raw);
    }

    String str() {
        int n = u16();
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " carries a string that is not UTF-8");
        }
    }

    private byte[] bytes(int n) {
        if (buf.remaining() < n) {
            throw truncated();
        }
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    /** A count prefix that must not promise more items than the bytes left could hold. */
    int count(int minItemBytes) {
        int n = u16();
        if ((long) n * minItemBytes > buf.remaining()) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " announces " + n + " items but carries too few bytes");
        }
        return n;
    }

    void end() {
        if (buf.hasRemaining()) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " body has " + buf.remaining() + " unexpected trailing bytes");
        }
    }
}
