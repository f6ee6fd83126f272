package io.edgeslice.protocol;

import java.util.Locale;

/**
 * Element types a tensor may carry on the wire. The code is the byte written in a tensor header;
 * the NumPy descriptor is the one used in {@code .npy} files (always little-endian).
 */
public enum DType {
    FLOAT32(1, 4, "<f4"),
    FLOAT16(2, 2, "<f2"),
    FLOAT64(3, 8, "<f8"),
    INT8(4, 1, "|i1"),
    UINT8(5, 1, "|u1"),
    INT16(6, 2, "<i2"),
    INT32(7, 4, "<i4"),
    INT64(8, 8, "<i8"),
    BOOL(9, 1, "|b1");

    private final int code;
    private final int size;
    private final String npyDescr;

    DType(int code, int size, String npyDescr) {
        this.code = code;
        this.size = size;
        this.npyDescr = npyDescr;
    }

    /** The byte that identifies this type in a tensor header. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** NumPy's descriptor string, e.g. {@code <f4}. */
    public String npyDescr() {
        return npyDescr;
    }

    public static DType fromCode(int code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED, "unknown tensor dtype code " + code);
    }

    /** Parses a NumPy descriptor; big-endian descriptors are rejected, not silently swapped. */
    public static DType fromNpyDescr(String descr) {
        String d = descr.trim();
        if (d.startsWith(">") && !d.endsWith("1")) {
            throw new IllegalArgumentException("big-endian dtype '" + descr + "' is not supported; save the array as little-endian (arr.astype('<f4'))");
        }
        String norm = d.replaceFirst("^[<|=]", "");
        for (DType t : values()) {
            if (t.npyDescr.substring(1).equals(norm)) {
                return t;
            }
        }
        if (norm.equals("?")) {
            return BOOL;
        }
        throw new IllegalArgumentException("unsupported .npy dtype '" + descr + "'");
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
