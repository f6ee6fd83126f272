package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.util.Set;
import java.util.function.Function;

/**
 * Rough per-node cost estimates. Multiply-accumulates count as two FLOPs for convolutions and matrix
 * products; pooling costs one per window element; shape plumbing is free; everything else costs one
 * FLOP per output element. Good enough to spread candidate cuts and to report, not to predict
 * latency (profiling does that).
 */
final class Costs {
    private static final Set<String> FREE = Set.of("Shape", "Size", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity",
            "Constant", "ConstantOfShape");

    private Costs() {
    }

    /** {flops, params} of one node; {@code shapeOf} gives the concrete shape of any tensor, or null. */
    static long[] of(Graph g, int node, Function<String, long[]> shapeOf) {
        OnnxMl.NodeProto n = g.nodes.get(node);
        long params = 0;
        for (String in : g.reads.get(node)) {
            long[] dims = g.isConstantValue(in) ? g.constantDims(in) : null;
            if (dims != null) {
                params += elements(dims);
            }
        }
        long outElems = 0;
        for (String out : n.getOutputList()) {
            long[] s = out.isEmpty() ? null : shapeOf.apply(out);
            outElems += s == null ? 0 : elements(s);
        }
        return new long[] {flops(n, outElems, shapeOf), params};
    }

    private static long flops(OnnxMl.NodeProto n, long outElems, Function<String, long[]> shapeOf) {
        String op = switch (n.getDomain()) {
            // ONNX Runtime's optimised graphs (OptimizedGraph): its NCHWc operators mirror the standard ones,
            // a FusedConv is a Conv with its activation
            case "", "ai.onnx", "com.microsoft.nchwc" -> n.getOpType();
            case "com.microsoft" -> n.getOpType().equals("FusedConv") ? "Conv" : "";
            default -> "";
        };
        long[] x = n.getInputCount() > 0 ? shapeOf.apply(n.getInput(0)) : null;
        long[] w = n.getInputCount() > 1 ? shapeOf.apply(n.getInput(1)) : null;
        switch (op) {
            case "Conv":
                // W is [M, C/group, k...]: every output element sums C/group * prod(k) products.
                return w == null ? outElems : 2 * outElems * elements(w, 1);
            case "ConvTranspose":
                // W is [C, M/group, k...]: every input element is scattered into M/group * prod(k) outputs.
                return w == null || x == null ? outElems : 2 * elements(x) * elements(w, 1);
            case "Gemm":
                if (x == null || x.length != 2) {
                    return outElems;
                }
                return 2 * outElems * (intAttr(n, "transA") == 1 ? x[0] : x[1]);
            case "MatMul", "MatMulInteger", "QLinearMatMul":
                return x == null || x.length == 0 ? outElems : 2 * outElems * x[x.length - 1];
            case "MaxPool", "AveragePool", "LpPool":
                return outElems * Math.max(1, product(ints(n, "kernel_shape")));
            case "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
                    "ReduceL2", "ReduceL1", "ReduceSumSquare", "ReduceLogSumExp":
                return x == null ? outElems : elements(x);
            default:
                return FREE.contains(op) ? 0 : outElems;
        }
    }

    static long elements(long[] dims) {
        return elements(dims, 0);
    }

    private static long elements(long[] dims, int from) {
        long n = 1;
        for (int i = from; i < dims.length; i++) {
            n *= Math.max(dims[i], 0);
        }
        return n;
    }

    private static long[] ints(OnnxMl.NodeProto n, String name) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return new long[0];
    }

    private static long product(long[] v) {
        long p = 1;
        for (long d : v) {
            p *= d;
        }
        return p;
    }

    private static long intAttr(OnnxMl.NodeProto n, String name) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return 0;
    }
}
