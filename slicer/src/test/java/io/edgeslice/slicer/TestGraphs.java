package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small hand-built ONNX models whose crossings and costs can be worked out by hand. */
final class TestGraphs {
    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    static final int BOOL = OnnxMl.TensorProto.DataType.BOOL.getNumber();

    private TestGraphs() {
    }

    static OnnxMl.ModelProto model(int opset, OnnxMl.GraphProto.Builder graph) {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(7).setProducerName("edgeslice-test").setProducerVersion("1")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    /** A float tensor declaration; negative dims become the symbolic dimension "N". */
    static OnnxMl.ValueInfoProto value(String name, int elemType, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    static OnnxMl.TensorProto floats(String name, SplittableRandom random, long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (random.nextDouble() - 0.5));
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(com.google.protobuf.ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static OnnxMl.NodeProto node(String op, String name, List<String> in, List<String> out, OnnxMl.AttributeProto... attrs) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }

    static OnnxMl.AttributeProto tensorAttr(String name, OnnxMl.TensorProto t) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    static OnnxMl.AttributeProto graphAttr(String name, OnnxMl.GraphProto g) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.GRAPH).setG(g).build();
    }

    /** A 3x3 same-padding convolution from {@code in} (cin channels) to {@code out} (cout channels). */
    static void conv(OnnxMl.GraphProto.Builder g, SplittableRandom r, String in, String out, int cin, int cout) {
        g.addInitializer(floats(out + ".w", r, cout, cin, 3, 3));
        g.addInitializer(floats(out + ".b", r, cout));
        g.addNode(node("Conv", out, List.of(in, out + ".w", out + ".b"), List.of(out), ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)));
    }

    /**
     * x[1,4,8,8] followed by {@code blocks} residual blocks, each Conv, Relu, Conv, Add(skip), Relu
     * (five nodes), output y.
     */
    static OnnxMl.ModelProto residual(int blocks) {
        SplittableRandom r = new SplittableRandom(5);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("residual").addInput(value("x", FLOAT, 1, 4, 8, 8));
        String t = "x";
        for (int b = 0; b < blocks; b++) {
            conv(g, r, t, "b" + b + "c1", 4, 4);
            g.addNode(node("Relu", "b" + b + "r1", List.of("b" + b + "c1"), List.of("b" + b + "r1")));
            conv(g, r, "b" + b + "r1", "b" + b + "c2", 4, 4);
            g.addNode(node("Add", "b" + b + "add", List.of(t, "b" + b + "c2"), List.of("b" + b + "add")));
            String out = b == blocks - 1 ? "y" : "b" + b + "out";
            g.addNode(node("Relu", "b" + b + "out", List.of("b" + b + "add"), List.of(out)));
            t = out;
        }
        g.addOutput(value("y", FLOAT, 1, 4, 8, 8));
        return model(13, g);
    }

    /**
     * Two branches from x[1,4,8,8], each widening to 16 channels and narrowing back to 4, summed; the
     * file interleaves the branches (a1, b1, a2, b2, add), a poor order to cut.
     */
    static OnnxMl.ModelProto interleavedBranches() {
        SplittableRandom r = new SplittableRandom(6);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("branches").addInput(value("x", FLOAT, 1, 4, 8, 8));
        conv(g, r, "x", "a1", 4, 16);
        conv(g, r, "x", "b1", 4, 16);
        conv(g, r, "a1", "a2", 16, 4);
        conv(g, r, "b1", "b2", 16, 4);
        g.addNode(node("Add", "add", List.of("a2", "b2"), List.of("y")));
        g.addOutput(value("y", FLOAT, 1, 4, 8, 8));
        return model(13, g);
    }

    /** y1 = x + c, y2 = y1 * c with c from one Constant node; outputs y2 then y1. */
    static OnnxMl.ModelProto sharedConstant() {
        SplittableRandom r = new SplittableRandom(7);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("constant").addInput(value("x", FLOAT, -1, 3));
        g.addNode(node("Constant", "c", List.of(), List.of("c"), tensorAttr("value", floats("c", r, 3))));
        g.addNode(node("Add", "add", List.of("x", "c"), List.of("y1")));
        g.addNode(node("Relu", "relu", List.of("y1"), List.of("r")));
        g.addNode(node("Mul", "mul", List.of("r", "c"), List.of("y2")));
        g.addOutput(value("y2", FLOAT, -1, 3)).addOutput(value("y1", FLOAT, -1, 3));
        return model(13, g);
    }

    /**
     * z = ConstantOfShape([1,4]) (a constant expression ahead of everything in the file);
     * y = Relu(Relu(x)) + z.
     */
    static OnnxMl.ModelProto constantExpression() {
        OnnxMl.TensorProto shape = OnnxMl.TensorProto.newBuilder().setName("shape").setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .addDims(2).addInt64Data(1).addInt64Data(4).build();
        OnnxMl.TensorProto half = OnnxMl.TensorProto.newBuilder().setName("half").setDataType(FLOAT).addDims(1).addFloatData(0.5f).build();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("folded").addInput(value("x", FLOAT, 1, 4)).addInitializer(shape);
        g.addNode(node("ConstantOfShape", "zeros", List.of("shape"), List.of("z"), tensorAttr("value", half)));
        g.addNode(node("Relu", "relu1", List.of("x"), List.of("a")));
        g.addNode(node("Relu", "relu2", List.of("a"), List.of("b")));
        g.addNode(node("Add", "add", List.of("b", "z"), List.of("y")));
        g.addOutput(value("y", FLOAT, 1, 4));
        return model(13, g);
    }

    /**
     * r = Relu(x); cond = sum(r) > 0; y = If(cond, r + 1, r - 1); out = y * r. Both branches read r
     * from the outer scope, so r must cross a cut placed just before the If.
     */
    static OnnxMl.ModelProto ifModel() {
        OnnxMl.TensorProto one = OnnxMl.TensorProto.newBuilder().setName("one").setDataType(FLOAT).addFloatData(1).build();
        OnnxMl.TensorProto zero = OnnxMl.TensorProto.newBuilder().setName("zero").setDataType(FLOAT).addFloatData(0).build();
        OnnxMl.GraphProto thenBranch = OnnxMl.GraphProto.newBuilder().setName("then")
                .addNode(node("Add", "then_add", List.of("r", "one"), List.of("y_then"))).addOutput(value("y_then", FLOAT, 2)).build();
        OnnxMl.GraphProto elseBranch = OnnxMl.GraphProto.newBuilder().setName("else")
                .addNode(node("Sub", "else_sub", List.of("r", "one"), List.of("y_else"))).addOutput(value("y_else", FLOAT, 2)).build();
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("if").addInput(value("x", FLOAT, 2))
                .addInitializer(one).addInitializer(zero);
        g.addNode(node("Relu", "relu", List.of("x"), List.of("r")));
        g.addNode(node("ReduceSum", "sum", List.of("r"), List.of("s"), intAttr("keepdims", 0)));
        g.addNode(node("Greater", "greater", List.of("s", "zero"), List.of("cond")));
        g.addNode(node("If", "if", List.of("cond"), List.of("y"), graphAttr("then_branch", thenBranch), graphAttr("else_branch", elseBranch)));
        g.addNode(node("Mul", "mul", List.of("y", "r"), List.of("out")));
        g.addOutput(value("out", FLOAT, 2));
        return model(13, g);
    }

    /** x -> Cast(uint32) -> Cast(float) -> Relu: the uint32 tensor cannot travel, so position 1 is unusable. */
    static OnnxMl.ModelProto uint32Crossing() {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("cast").addInput(value("x", FLOAT, 4));
        g.addNode(node("Cast", "to_u32", List.of("x"), List.of("u"), intAttr("to", OnnxMl.TensorProto.DataType.UINT32.getNumber())));
        g.addNode(node("Cast", "to_f32", List.of("u"), List.of("f"), intAttr("to", FLOAT)));
        g.addNode(node("Relu", "relu", List.of("f"), List.of("y")));
        g.addOutput(value("y", FLOAT, 4));
        return model(13, g);
    }

    static Path write(Path dir, String name, OnnxMl.ModelProto m) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    static List<String> nodeNames(OnnxMl.ModelProto m) {
        List<String> names = new ArrayList<>();
        m.getGraph().getNodeList().forEach(n -> names.add(n.getName()));
        return names;
    }
}
