package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the type and shape of every tensor in a model by asking ONNX Runtime. Models rarely carry
 * value_info for their intermediates, so the probe declares every intermediate as a graph output
 * without a type (ONNX Runtime then infers one, symbolic dimensions included) and runs the model
 * once on random input of the requested shapes to learn the concrete shapes.
 */
final class ShapeProbe {
    /**
     * What the probe learned about one tensor.
     *
     * @param dtype    protocol type, null if the protocol cannot carry the tensor
     * @param typeName ONNX type name, for messages
     * @param shape    concrete shape for the probed input shapes, null if not a tensor
     * @param type     inferred ONNX type with symbolic dimensions, for declaring slice inputs and outputs
     */
    record Probed(String name, DType dtype, String typeName, long[] shape, OnnxMl.TypeProto type) {
        boolean transportable() {
            return dtype != null && shape != null;
        }

        long bytes() {
            return transportable() ? Tensor.byteSize(dtype, shape) : 0;
        }

        TensorSpec spec() {
            return new TensorSpec(name, dtype, shape);
        }
    }

    private ShapeProbe() {
    }

    static Map<String, Probed> run(OnnxModel model, Map<String, long[]> inputShapes, SessionSettings settings) {
        Graph g = model.graph();
        OnnxMl.GraphProto.Builder graph = model.proto().getGraph().toBuilder();
        Set<String> declared = new HashSet<>();
        graph.getOutputList().forEach(o -> declared.add(o.getName()));
        for (OnnxMl.NodeProto node : g.nodes) {
            if (Graph.isConstant(node)) {
                continue; // weights: their dims are in the file, and exposing them would copy them
            }
            for (String out : node.getOutputList()) {
                if (!out.isEmpty() && declared.add(out)) {
                    graph.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(out));
                }
            }
        }
        byte[] bytes = model.proto().toBuilder().setGraph(graph).build().toByteArray();
        try (OrtSession session = Ort.session(bytes, settings, model.fileName())) {
            Map<String, Probed> probed = new HashMap<>();
            List<TensorSpec> inputs = new ArrayList<>();
            Map<String, NodeInfo> inputInfo = session.getInputInfo();
            for (Map.Entry<String, long[]> in : inputShapes.entrySet()) {
                NodeInfo node = inputInfo.get(in.getKey());
                if (node == null || !(node.getInfo() instanceof TensorInfo info)) {
                    throw new SlicingException("ONNX Runtime does not see input '" + in.getKey() + "' as a tensor input");
                }
                DType dtype = OrtTensors.dtype(info.onnxType);
                if (dtype == null) {
                    throw new SlicingException("input '" + in.getKey() + "' has type " + OrtTensors.typeName(info.onnxType)
                            + ", which the EdgeSlice protocol cannot carry");
                }
                inputs.add(new TensorSpec(in.getKey(), dtype, in.getValue()));
                probed.put(in.getKey(), new Probed(in.getKey(), dtype, OrtTensors.typeName(info.onnxType), in.getValue(),
                        typeProto(info, in.getValue())));
            }
            Map<String, NodeInfo> outputInfo = session.getOutputInfo();
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            try {
                for (Tensor t : Inputs.random(inputs, 42).values()) {
                    feed.put(t.name(), OrtTensors.toOnnx(t));
                }
                try (OrtSession.Result result = session.run(feed)) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        probed.put(e.getKey(), probed(e.getKey(), outputInfo.get(e.getKey()), e.getValue()));
                    }
                }
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
            return probed;
        } catch (OrtException e) {
            throw new SlicingException("running " + model.fileName() + " on input shapes " + shapes(inputShapes) + " failed: " + e.getMessage(), e);
        }
    }

    private static Probed probed(String name, NodeInfo declared, OnnxValue value) {
        if (!(value instanceof OnnxTensor tensor) || !(declared.getInfo() instanceof TensorInfo info)) {
            return new Probed(name, null, value.getType().name().toLowerCase(java.util.Locale.ROOT), null, null);
        }
        long[] shape = tensor.getInfo().getShape();
        return new Probed(name, OrtTensors.dtype(info.onnxType), OrtTensors.typeName(info.onnxType), shape, typeProto(info, shape));
    }

    /** ONNX type from ORT's inferred info: fixed dims as values, symbolic ones by name or left unknown. */
    static OnnxMl.TypeProto typeProto(TensorInfo info, long[] concrete) {
        OnnxMl.TypeProto.Tensor.Builder t = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(onnxElemType(info.onnxType));
        long[] dims = info.getShape();
        String[] names = info.getDimensionNames();
        // ORT reports an unknown rank as an empty shape; only trust the inferred dims if the rank agrees.
        if (dims.length == concrete.length) {
            OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
            for (int i = 0; i < dims.length; i++) {
                OnnxMl.TensorShapeProto.Dimension.Builder d = OnnxMl.TensorShapeProto.Dimension.newBuilder();
                if (dims[i] >= 0) {
                    d.setDimValue(dims[i]);
                } else if (names != null && i < names.length && names[i] != null && !names[i].isEmpty()) {
                    d.setDimParam(names[i]);
                }
                shape.addDim(d);
            }
            t.setShape(shape);
        }
        return OnnxMl.TypeProto.newBuilder().setTensorType(t).build();
    }

    /** ONNX's TensorProto.DataType number; ORT's Java enum numbers its constants differently. */
    static int onnxElemType(TensorInfo.OnnxTensorType t) {
        String name = t.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
        try {
            return OnnxMl.TensorProto.DataType.valueOf(name).getNumber();
        } catch (IllegalArgumentException e) {
            return OnnxMl.TensorProto.DataType.UNDEFINED.getNumber();
        }
    }

    static String shapes(Map<String, long[]> shapes) {
        List<String> parts = new ArrayList<>();
        shapes.forEach((k, v) -> parts.add(k + "=" + Tensor.shapeString(v)));
        return String.join(" ", parts);
    }
}
