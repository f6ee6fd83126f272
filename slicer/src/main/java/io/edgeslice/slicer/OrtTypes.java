package io.edgeslice.slicer;

import ai.onnxruntime.OnnxJavaType;
import io.edgeslice.protocol.DType;

/** The protocol's element types and ONNX Runtime's Java ones, both ways. */
public final class OrtTypes {
    private OrtTypes() {
    }

    /** ONNX Runtime's Java type for a protocol type (every protocol type has one). */
    public static OnnxJavaType javaType(DType t) {
        return switch (t) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case FLOAT64 -> OnnxJavaType.DOUBLE;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
        };
    }

    /** The protocol type for an ONNX Runtime Java type, or null if the protocol cannot carry it. */
    public static DType dtype(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> DType.FLOAT32;
            case FLOAT16 -> DType.FLOAT16;
            case DOUBLE -> DType.FLOAT64;
            case INT8 -> DType.INT8;
            case UINT8 -> DType.UINT8;
            case INT16 -> DType.INT16;
            case INT32 -> DType.INT32;
            case INT64 -> DType.INT64;
            case BOOL -> DType.BOOL;
            default -> null;
        };
    }
}
