package io.edgeslice.slicer;

import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Tensor;
import java.util.Arrays;

/**
 * Name, element type and concrete shape of a tensor for the input shapes a model was analysed with.
 *
 * @param name  tensor name in the ONNX graph
 * @param dtype element type
 * @param shape concrete dimensions
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Size of the tensor's data in bytes. */
    public long bytes() {
        return Tensor.byteSize(dtype, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + dtype.lowerName() + "[" + Tensor.shapeString(shape) + "]";
    }
}
