package io.edgeslice.slicer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between protocol tensors and ONNX Runtime tensors, and between type enums. */
final class OrtTensors {
    private OrtTensors() {
    }

    /** The protocol type for an ONNX Runtime element type, or null if the protocol cannot carry it. */
    static DType dtype(TensorInfo.OnnxTensorType t) {
        return switch (t) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DType.FLOAT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DType.FLOAT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DType.FLOAT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DType.BOOL;
            default -> null;
        };
    }

    static String typeName(TensorInfo.OnnxTensorType t) {
        return t.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** Copies a protocol tensor into a new ONNX Runtime tensor; the caller closes it. */
    static OnnxTensor toOnnx(Tensor t) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new SlicingException("big-endian platforms are not supported");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(t.byteSize()).order(ByteOrder.nativeOrder());
        direct.put(t.data().duplicate()).flip();
        try {
            return OnnxTensor.createTensor(Ort.env(), direct, t.shape(), OrtTypes.javaType(t.dtype()));
        } catch (OrtException e) {
            throw new SlicingException("cannot create tensor '" + t.name() + "': " + e.getMessage(), e);
        }
    }

    /** Copies an ONNX Runtime tensor out as a protocol tensor. */
    static Tensor toTensor(String name, OnnxTensor t) {
        TensorInfo info = t.getInfo();
        DType dtype = dtype(info.onnxType);
        if (dtype == null) {
            throw new SlicingException("tensor '" + name + "' has type " + typeName(info.onnxType) + ", which the EdgeSlice protocol cannot carry");
        }
        ByteBuffer copy = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(name, dtype, info.getShape(), copy);
    }
}
