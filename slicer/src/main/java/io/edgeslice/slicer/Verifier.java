package io.edgeslice.slicer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks slices against the model they were cut from: both run on the same input and every model
 * output is compared. Holds a session of the whole model, so verifying several slicings of one
 * model loads it once.
 */
public final class Verifier implements AutoCloseable {
    private final Path model;
    private final String sha256;
    private final SessionSettings settings;
    private final OrtSession whole;

    private Verifier(Path model, SessionSettings settings) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(model);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SlicingException("the original model " + model + " is missing; slices are verified against the model they were cut from");
        } catch (IOException e) {
            throw new SlicingException("cannot read the original model " + model + ": " + e.getMessage(), e);
        }
        this.model = model;
        this.sha256 = OnnxModel.sha256(bytes);
        this.settings = settings;
        this.whole = Ort.session(bytes, settings, model.toString());
    }

    /** Loads the original model. */
    public static Verifier open(Path model, SessionSettings settings) {
        return new Verifier(model, settings);
    }

    /** Verifies the slices in {@code sliceDir} against the model the manifest names (checked by SHA-256). */
    public static Verification verify(Path sliceDir, Map<String, Tensor> inputs, SessionSettings settings, int timedRuns) {
        Manifest m = Manifest.read(sliceDir);
        try (Verifier v = open(Path.of(m.modelPath()), settings)) {
            return v.verify(sliceDir, inputs, timedRuns);
        }
    }

    /**
     * Runs the chain in {@code sliceDir} and the whole model on the same input.
     *
     * @param inputs    model inputs by name; empty for random ones of the manifest's shapes ({@link Inputs#random})
     * @param timedRuns runs timed after the compared one (which doubles as warm-up); 0 times that one
     */
    public Verification verify(Path sliceDir, Map<String, Tensor> inputs, int timedRuns) {
        return verify(sliceDir, inputs, timedRuns, true);
    }

    /**
     * As {@link #verify(Path, Map, int)} for slices cut from this model's {@link OptimizedGraph}: the
     * manifest names that graph, not this model, so it is not checked against this model's SHA-256.
     */
    public Verification verifyOptimized(Path sliceDir, Map<String, Tensor> inputs, int timedRuns) {
        return verify(sliceDir, inputs, timedRuns, false);
    }

    private Verification verify(Path sliceDir, Map<String, Tensor> inputs, int timedRuns, boolean sameModel) {
        Manifest m = Manifest.read(sliceDir);
        if (sameModel && !m.modelSha256().equals(sha256)) {
            throw new SlicingException("the slices in " + sliceDir + " were cut from a model with sha256 " + m.modelSha256()
                    + ", but " + model + " has sha256 " + sha256 + "; was the model changed? slice again");
        }
        Map<String, Tensor> in = inputs.isEmpty() ? Inputs.random(m.inputs(), 7) : checked(m, inputs);
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (SliceChain chain = SliceChain.open(sliceDir, settings)) {
            for (Tensor t : in.values()) {
                feed.put(t.name(), OrtTensors.toOnnx(t));
            }
            double[] wholeMs = new double[Math.max(1, timedRuns)];
            double[] chainMs = new double[wholeMs.length];
            Map<String, Tensor> expected = outputs(() -> whole.run(feed), wholeMs, timedRuns);
            Map<String, Tensor> actual = outputs(() -> chain.runOrt(feed), chainMs, timedRuns);
            Map<String, Double> diffs = new LinkedHashMap<>();
            double max = 0;
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Tensor got = actual.get(e.getKey());
                double d = got == null || !java.util.Arrays.equals(got.shape(), e.getValue().shape())
                        ? Double.POSITIVE_INFINITY : e.getValue().maxAbsDiff(got);
                diffs.put(e.getKey(), d);
                max = Double.isNaN(d) || Double.isNaN(max) ? Double.NaN : Math.max(max, d);
            }
            return new Verification(m.slices().size(), max, Profiler.median(wholeMs), Profiler.median(chainMs), diffs);
        } catch (OrtException e) {
            throw new SlicingException("running " + model.getFileName() + " or its slices failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private interface Run {
        OrtSession.Result run() throws OrtException;
    }

    /** Runs once keeping the outputs, then {@code timedRuns} more; fills {@code ms} with the timings. */
    private static Map<String, Tensor> outputs(Run run, double[] ms, int timedRuns) throws OrtException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (OrtSession.Result r = run.run()) {
            ms[0] = (System.nanoTime() - t0) / 1e6;
            for (Map.Entry<String, OnnxValue> e : r) {
                out.put(e.getKey(), OrtTensors.toTensor(e.getKey(), (OnnxTensor) e.getValue()));
            }
        }
        for (int i = 0; i < timedRuns; i++) {
            long t = System.nanoTime();
            try (OrtSession.Result r = run.run()) {
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        return out;
    }

    private static Map<String, Tensor> checked(Manifest m, Map<String, Tensor> inputs) {
        Set<String> names = new java.util.LinkedHashSet<>();
        m.inputs().forEach(s -> names.add(s.name()));
        for (String name : inputs.keySet()) {
            if (!names.contains(name)) {
                throw new SlicingException("unknown input '" + name + "'; the model's inputs are " + names);
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec s : m.inputs()) {
            Tensor t = inputs.get(s.name());
            if (t == null) {
                throw new SlicingException("missing input '" + s.name() + "' (" + s.dtype().lowerName() + " " + Tensor.shapeString(s.shape()) + ")");
            }
            if (t.dtype() != s.dtype()) {
                throw new SlicingException("input '" + s.name() + "' is " + t.dtype().lowerName() + " but the model wants " + s.dtype().lowerName());
            }
            out.put(s.name(), t.withName(s.name()));
        }
        return out;
    }

    @Override
    public void close() {
        Ort.close(whole);
    }
}
