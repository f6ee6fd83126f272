package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import io.edgeslice.protocol.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The input shapes a user asks for, e.g. {@code x=1x3x320x320}. They fix a model's dynamic
 * dimensions; a model whose inputs are all fixed needs none. A single unnamed shape applies to a
 * model's only input.
 */
public final class InputShapes {
    private final Map<String, long[]> given;

    private InputShapes(Map<String, long[]> given) {
        this.given = given;
    }

    /** No shapes: every model input must be fully fixed. */
    public static InputShapes none() {
        return new InputShapes(Map.of());
    }

    /** Shapes by input name; copied. */
    public static InputShapes of(Map<String, long[]> shapes) {
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((k, v) -> copy.put(k, checkDims(k, v)));
        return new InputShapes(Collections.unmodifiableMap(copy));
    }

    /** Parses {@code NAME=1x3x320x320} (or just {@code 1x3x320x320} for a single-input model). */
    public static InputShapes parse(List<String> specs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            String name = eq < 0 ? "" : spec.substring(0, eq).trim();
            long[] dims = parseDims(spec, spec.substring(eq + 1).trim());
            if (shapes.put(name, dims) != null) {
                throw new SlicingException("input shape given twice for " + (name.isEmpty() ? "the unnamed input" : "'" + name + "'"));
            }
        }
        return of(shapes);
    }

    private static long[] parseDims(String spec, String dims) {
        String[] parts = dims.split("[x,]", -1);
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new SlicingException("bad input shape '" + spec + "': '" + parts[i] + "' is not a dimension (expected NAME=1x3x224x224)");
            }
        }
        return checkDims(spec, out);
    }

    private static long[] checkDims(String what, long[] dims) {
        for (long d : dims) {
            if (d <= 0) {
                throw new SlicingException("bad input shape for '" + what + "': dimension " + d + " is not positive");
            }
        }
        return dims.clone();
    }

    /** Shapes for every real model input, in model order, checked against the declared shapes. */
    Map<String, long[]> resolve(Graph graph) {
        List<String> names = graph.modelInputs.stream().map(OnnxMl.ValueInfoProto::getName).toList();
        Map<String, long[]> byName = new LinkedHashMap<>(given);
        long[] unnamed = byName.remove("");
        if (unnamed != null) {
            if (names.size() != 1) {
                throw new SlicingException("the model has " + names.size() + " inputs " + names + "; name them: NAME=DIMS");
            }
            if (byName.containsKey(names.get(0))) {
                throw new SlicingException("input shape given twice for '" + names.get(0) + "'");
            }
            byName.put(names.get(0), unnamed);
        }
        for (String name : byName.keySet()) {
            if (!names.contains(name)) {
                throw new SlicingException("unknown input '" + name + "'; the model's inputs are " + names);
            }
        }
        Map<String, long[]> resolved = new LinkedHashMap<>();
        for (OnnxMl.ValueInfoProto in : graph.modelInputs) {
            resolved.put(in.getName(), resolveOne(in, byName.get(in.getName())));
        }
        return resolved;
    }

    private static long[] resolveOne(OnnxMl.ValueInfoProto in, long[] shape) {
        String name = in.getName();
        OnnxMl.TypeProto.Tensor type = in.getType().getTensorType();
        if (!in.getType().hasTensorType()) {
            throw new SlicingException("input '" + name + "' is not a tensor; only tensor inputs are supported");
        }
        if (!type.hasShape()) {
            if (shape == null) {
                throw new SlicingException("input '" + name + "' declares no shape; give its shape as " + name + "=DIMS");
            }
            return shape;
        }
        List<OnnxMl.TensorShapeProto.Dimension> dims = type.getShape().getDimList();
        String declared = declared(dims);
        if (shape == null) {
            long[] fixed = new long[dims.size()];
            for (int i = 0; i < fixed.length; i++) {
                if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() <= 0) {
                    throw new SlicingException("input '" + name + "' has dynamic shape " + declared + "; give its shape as " + name
                            + "=DIMS (--input-shape on the command line)");
                }
                fixed[i] = dims.get(i).getDimValue();
            }
            return fixed;
        }
        if (shape.length != dims.size()) {
            throw new SlicingException("input '" + name + "' has rank " + dims.size() + " " + declared + " but the shape given, "
                    + Tensor.shapeString(shape) + ", has rank " + shape.length);
        }
        for (int i = 0; i < shape.length; i++) {
            OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
            if (d.hasDimValue() && d.getDimValue() > 0 && d.getDimValue() != shape[i]) {
                throw new SlicingException("input '" + name + "' has dimension " + i + " fixed to " + d.getDimValue() + " " + declared
                        + " but the shape given, " + Tensor.shapeString(shape) + ", has " + shape[i]);
            }
        }
        return shape;
    }

    static String declared(List<OnnxMl.TensorShapeProto.Dimension> dims) {
        List<String> parts = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d : dims) {
            parts.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "?");
        }
        return "[" + String.join(",", parts) + "]";
    }

    /** The shapes as given, by name ("" for an unnamed one). */
    public Map<String, long[]> given() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        given.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        given.forEach((k, v) -> parts.add((k.isEmpty() ? "" : k + "=") + Tensor.shapeString(v)));
        return String.join(" ", parts);
    }
}
