package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named tensor: element type, shape and raw little-endian bytes. The data buffer is shared, never
 * copied by this class; callers that keep a tensor must not modify the buffer.
 *
 * @param name  the model input or output name (may be empty for an unnamed .npy input)
 * @param dtype element type
 * @param shape dimensions, all non-negative
 * @param data  exactly {@code elementCount * dtype.size()} bytes, little-endian, position 0
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {

    /** Dimensions beyond this rank are rejected when decoding. */
    public static final int MAX_RANK = 16;

    public Tensor {
        if (name == null) {
            name = "";
        }
        if (shape.length > MAX_RANK) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + name + "' has rank " + shape.length + ", more than " + MAX_RANK);
        }
        long expected = byteSize(dtype, shape);
        if (data.remaining() != expected) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + name + "' of " + dtype.lowerName() + Arrays.toString(shape)
                    + " needs " + expected + " bytes but carries " + data.remaining());
        }
        shape = shape.clone();
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements; throws if a dimension is negative or the product overflows. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ProtocolException(ErrorCode.MALFORMED, "negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static long byteSize(DType dtype, long[] shape) {
        return Math.multiplyExact(elementCount(shape), (long) dtype.size());
    }

    /** Wraps a float array (copied into little-endian bytes). */
    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DType.FLOAT32, shape, b);
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public int byteSize() {
        return data.remaining();
    }

    /** A copy of this tensor under another name, sharing the data. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, data);
    }

    /** The data as a fresh float array; only for FLOAT32 tensors. */
    public float[] toFloats() {
        requireType(DType.FLOAT32);
        float[] out = new float[(int) elementCount()];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** Every element widened to double, for comparing results of any numeric type. */
    public double[] toDoubles() {
        int n = (int) elementCount();
        double[] out = new double[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case FLOAT32 -> b.getFloat(i * 4);
                case FLOAT64 -> b.getDouble(i * 8);
                case FLOAT16 -> Float.intBitsToFloat(Half.toFloatBits(b.getShort(i * 2)));
                case INT8 -> b.get(i);
                case UINT8 -> b.get(i) & 0xff;
                case BOOL -> b.get(i) != 0 ? 1 : 0;
                case INT16 -> b.getShort(i * 2);
                case INT32 -> b.getInt(i * 4);
                case INT64 -> b.getLong(i * 8);
            };
        }
        return out;
    }

    /** Largest absolute element-wise difference; shapes and types must agree. */
    public double maxAbsDiff(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " differs from " + Arrays.toString(other.shape));
        }
        double[] a = toDoubles();
        double[] b = other.toDoubles();
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    private void requireType(DType t) {
        if (dtype != t) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype.lowerName() + ", not " + t.lowerName());
        }
    }

    /** Shape as {@code 1x3x320x320}. */
    public String shapeString() {
        return shapeString(shape);
    }

    public static String shapeString(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return shape.length == 0 ? "scalar" : sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + dtype.lowerName() + " " + shapeString() + "]";
    }
}
