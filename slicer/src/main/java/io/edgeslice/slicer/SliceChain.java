package io.edgeslice.slicer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The slices of a manifest loaded into one process, one ONNX Runtime session each, run one after
 * the other. Used to verify slices and to measure what slicing costs without a network.
 */
public final class SliceChain implements AutoCloseable {
    private final Manifest manifest;
    private final List<OrtSession> sessions = new ArrayList<>();

    private SliceChain(Path dir, SessionSettings settings) {
        this.manifest = Manifest.read(dir);
        try {
            for (Manifest.Slice s : manifest.slices()) {
                Path file = dir.resolve(s.file());
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new SlicingException("cannot read slice " + file + ": " + e.getMessage(), e);
                }
                String sha = OnnxModel.sha256(bytes);
                if (!sha.equals(s.sha256())) {
                    throw new SlicingException("slice " + file + " has sha256 " + sha + " but the manifest says " + s.sha256() + "; slice again");
                }
                sessions.add(Ort.session(bytes, settings, "slice " + file));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads the slices listed in {@code dir/manifest.json}, checking each file's SHA-256. */
    public static SliceChain open(Path dir, SessionSettings settings) {
        return new SliceChain(dir, settings);
    }

    public Manifest manifest() {
        return manifest;
    }

    /** Runs the chain on copies of the given tensors and returns copies of the model outputs, in model order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (TensorSpec spec : manifest.slices().get(0).inputs()) {
                Tensor t = inputs.get(spec.name());
                if (t == null) {
                    throw new SlicingException("missing input '" + spec.name() + "'; the chain needs " + manifest.slices().get(0).inputs());
                }
                feed.put(spec.name(), OrtTensors.toOnnx(t));
            }
            try (OrtSession.Result result = runOrt(feed)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), OrtTensors.toTensor(e.getKey(), (OnnxTensor) e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new SlicingException("running the slice chain failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Runs the chain, handing each slice's ONNX Runtime outputs straight to the next (no copies).
     * Returns the last slice's result, which the caller closes.
     */
    OrtSession.Result runOrt(Map<String, OnnxTensor> inputs) throws OrtException {
        Map<String, OnnxTensor> values = inputs;
        OrtSession.Result previous = null;
        try {
            for (int i = 0; i < sessions.size(); i++) {
                Map<String, OnnxTensor> feed = new HashMap<>();
                for (TensorSpec in : manifest.slices().get(i).inputs()) {
                    OnnxTensor v = values.get(in.name());
                    if (v == null) {
                        throw new SlicingException("slice " + i + " needs '" + in.name() + "', which nothing before it provides");
                    }
                    feed.put(in.name(), v);
                }
                OrtSession.Result result = sessions.get(i).run(feed);
                // A slice's outputs are everything still needed later, so the previous outputs can go.
                Ort.close(previous);
                previous = result;
                values = new HashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    values.put(e.getKey(), (OnnxTensor) e.getValue());
                }
            }
            OrtSession.Result last = previous;
            previous = null;
            return last;
        } finally {
            Ort.close(previous);
        }
    }

    @Override
    public void close() {
        sessions.forEach(Ort::close);
        sessions.clear();
    }
}
