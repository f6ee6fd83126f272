package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

/** Writes the big-endian fields of a body frame into a growing buffer. */
final class BodyWriter {
    private ByteBuffer buf;

    BodyWriter(int initial) {
        buf = ByteBuffer.allocate(initial);
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    BodyWriter u8(int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("value " + v + " does not fit in 8 bits");
        }
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    BodyWriter u16(int v) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException("value " + v + " does not fit in 16 bits");
        }
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    BodyWriter i32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    BodyWriter i64(long v) {
        ensure(8);
        buf.putLong(v);
        return this;
    }

    BodyWriter f64(double v) {
        ensure(8);
        buf.putDouble(v);
        return this;
    }

    BodyWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    BodyWriter uuid(UUID id) {
        return i64(id.getMostSignificantBits()).i64(id.getLeastSignificantBits());
    }

    /** A SHA-256 written as its 32 raw bytes. */
    BodyWriter hash(String hex) {
        byte[] raw = HexFormat.of().parseHex(hex);
        if (raw.length != 32) {
            throw new IllegalArgumentException("model hash must be 32 bytes, got " + raw.length + ": " + hex);
        }
        ensure(32);
        buf.put(raw);
        return this;
    }

    /** UTF-8 with a u16 length prefix; a longer string is cut at the last whole character that fits. */
    BodyWriter str(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xffff) {
            int n = 0xffff;
            while ((b[n] & 0xc0) == 0x80) {
                n--; // b[n] continues a character: cut before that character's first byte
            }
            b = Arrays.copyOf(b, n);
        }
        u16(b.length);
        ensure(b.length);
        buf.put(b);
        return this;
    }

    ByteBuffer finish() {
        buf.flip();
        return buf;
    }
}
