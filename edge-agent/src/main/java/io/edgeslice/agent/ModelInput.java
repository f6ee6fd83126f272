package io.edgeslice.agent;

import io.edgeslice.protocol.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One declared input (or output) of a model: its name, element type and shape, where a dynamic
 * dimension is {@code -1}.
 */
public record ModelInput(String name, DType dtype, long[] shape) {

    public ModelInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape with every dynamic dimension replaced by {@code dynamicSize}, e.g. to make a sample input. */
    public long[] concreteShape(long dynamicSize) {
        long[] s = shape.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                s[i] = dynamicSize;
            }
        }
        return s;
    }

    /** Type and shape as in error messages, e.g. {@code float32 1x3x?x?}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(dtype.lowerName()).append(' ');
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return shape.length == 0 ? sb.append("scalar").toString() : sb.toString();
    }

    /** Whether a tensor of this shape fits: same rank, and every fixed dimension equal. */
    boolean accepts(long[] actual) {
        if (actual.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInput m && name.equals(m.name) && dtype == m.dtype && Arrays.equals(shape, m.shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "'" + name + "' " + describe();
    }
}
