package io.edgeslice.slicer;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * An ONNX model file, parsed and checked for what the slicer relies on: a graph whose every tensor
 * is defined, and a default-domain opset the bundled ONNX Runtime can run.
 */
public final class OnnxModel {
    /** Lowest default-domain opset accepted. */
    public static final int MIN_OPSET = 7;
    /** Highest default-domain opset the bundled ONNX Runtime (1.23) implements. */
    public static final int MAX_OPSET = 23;

    private final Path path;
    private final OnnxMl.ModelProto proto;
    private final String sha256;
    private final long sizeBytes;
    private final int opset;
    private final Graph graph;

    private OnnxModel(Path path, OnnxMl.ModelProto proto, byte[] bytes) {
        this.path = path;
        this.proto = proto;
        this.sha256 = sha256(bytes);
        this.sizeBytes = bytes.length;
        this.opset = checkStructure(proto);
        this.graph = new Graph(proto.getGraph());
    }

    /** Reads and checks a model file; every problem becomes a {@link SlicingException} naming the file. */
    public static OnnxModel load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SlicingException("model file not found: " + file);
        } catch (IOException e) {
            throw new SlicingException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new SlicingException(file + " is empty, not an ONNX model");
        }
        OnnxMl.ModelProto proto;
        try {
            proto = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new SlicingException(file + " is not an ONNX model or is truncated: " + e.getMessage(), e);
        }
        try {
            return new OnnxModel(file.toAbsolutePath().normalize(), proto, bytes);
        } catch (SlicingException e) {
            throw new SlicingException(file + ": " + e.getMessage(), e);
        }
    }

    private static int checkStructure(OnnxMl.ModelProto proto) {
        if (proto.getIrVersion() <= 0 || !proto.hasGraph()) {
            throw new SlicingException("not an ONNX model (no " + (proto.hasGraph() ? "ir_version" : "graph") + "), or truncated");
        }
        if (proto.getGraph().getNodeCount() == 0) {
            throw new SlicingException("the model graph has no nodes, nothing to slice");
        }
        if (proto.getGraph().getOutputCount() == 0) {
            throw new SlicingException("the model graph declares no outputs");
        }
        for (OnnxMl.TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                throw new SlicingException("initializer '" + t.getName() + "' is stored in an external data file,"
                        + " which the slicer does not support; save the model with its weights inside");
            }
        }
        int opset = -1;
        for (OnnxMl.OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) o.getVersion();
            }
        }
        if (opset < 0) {
            throw new SlicingException("the model imports no default-domain (ai.onnx) opset");
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new SlicingException("unsupported opset " + opset + " (default domain); the bundled ONNX Runtime runs opsets "
                    + MIN_OPSET + " to " + MAX_OPSET);
        }
        return opset;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** SHA-256 of a file, hex encoded. */
    public static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new SlicingException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Absolute path of the file the model was read from. */
    public Path path() {
        return path;
    }

    public String fileName() {
        return path.getFileName().toString();
    }

    /** SHA-256 of the file's bytes, hex encoded; the model's identity in manifests and profiles. */
    public String sha256() {
        return sha256;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /** The default-domain opset version. */
    public int opset() {
        return opset;
    }

    /** Names of the real inputs (graph inputs that are not initializer defaults), in model order. */
    public List<String> inputNames() {
        return graph.modelInputs.stream().map(OnnxMl.ValueInfoProto::getName).toList();
    }

    public List<String> outputNames() {
        return graph.modelOutputs.stream().map(OnnxMl.ValueInfoProto::getName).toList();
    }

    OnnxMl.ModelProto proto() {
        return proto;
    }

    Graph graph() {
        return graph;
    }

    @Override
    public String toString() {
        return fileName() + " (" + sha256.substring(0, 12) + ", opset " + opset + ", " + graph.nodes.size() + " nodes)";
    }
}
