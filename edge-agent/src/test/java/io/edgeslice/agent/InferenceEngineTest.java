package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.Slicer;
import io.edgeslice.slicer.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceEngineTest {
    private static final long[] FACE_SHAPE = {1, 128, 128, 3};
    private static final long[] MLSD_SHAPE = {1, 320, 320, 4};
    private static InferenceEngine engine;
    private static String faceHash;
    private static String mlsdHash;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        faceHash = TestModels.sha256(TestModels.BLAZEFACE);
        mlsdHash = TestModels.sha256(TestModels.MLSD);
        engine = new InferenceEngine(1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void describesTheModelsInputsAndOutputs() throws Exception {
        assertThat(engine.inputs(TestModels.BLAZEFACE, faceHash)).containsExactly(new ModelInput("input:0", DType.FLOAT32, FACE_SHAPE));
        assertThat(engine.outputs(TestModels.BLAZEFACE, faceHash)).extracting(ModelInput::name)
                .containsExactly("Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0");
        assertThat(engine.inputs(TestModels.MLSD, mlsdHash).get(0).describe()).isEqualTo("float32 1x320x320x4");
    }

    @Test
    void blazefaceGivesItsDeclaredOutputsTheSameEveryRun() throws Exception {
        Tensor input = TestModels.randomFloats("input:0", FACE_SHAPE, 1);
        List<Tensor> first = engine.run(TestModels.BLAZEFACE, faceHash, List.of(input));
        List<Tensor> second = engine.run(TestModels.BLAZEFACE, faceHash, List.of(input));

        assertThat(first).extracting(Tensor::name).containsExactly("Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0");
        assertThat(first).extracting(Tensor::shapeString).containsExactly("1x512x1", "1x384x1", "1x512x16", "1x384x16");
        assertThat(first).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(DType.FLOAT32));
        assertThat(first).allSatisfy(t -> assertThat(Arrays.stream(t.toDoubles()).allMatch(Double::isFinite)).isTrue());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void outputsWrittenInPlaceEqualTheFirstRunsCopiedOnes() throws Exception {
        // the first run of an input signature copies the outputs; later ones have ONNX Runtime write into ours
        try (InferenceEngine fresh = new InferenceEngine(1)) {
            Tensor input = TestModels.randomFloats("", MLSD_SHAPE, 7);
            Tensor other = TestModels.randomFloats("", MLSD_SHAPE, 8);
            List<Tensor> copied = fresh.run(TestModels.MLSD, mlsdHash, List.of(input));
            List<Tensor> otherPinned = fresh.run(TestModels.MLSD, mlsdHash, List.of(other));
            List<Tensor> pinned = fresh.run(TestModels.MLSD, mlsdHash, List.of(input));

            assertThat(pinned).isEqualTo(copied);
            assertThat(otherPinned).isNotEqualTo(copied);
            assertThat(pinned).allSatisfy(t -> assertThat(t.data().isDirect()).isTrue());
            assertThat(copied).allSatisfy(t -> assertThat(t.data().isDirect()).isTrue());
        }
    }

    @Test
    void anUnnamedInputFitsAOneInputModel() throws Exception {
        Tensor input = TestModels.randomFloats("", MLSD_SHAPE, 2);
        List<Tensor> unnamed = engine.run(TestModels.MLSD, mlsdHash, List.of(input));
        List<Tensor> named = engine.run(TestModels.MLSD, mlsdHash, List.of(input.withName("input_image_with_alpha:0")));

        assertThat(unnamed).extracting(Tensor::name).containsExactly("offsets", "scores");
        assertThat(unnamed).extracting(Tensor::shapeString).containsExactly("1x160x160x4", "1x160x160x1");
        assertThat(unnamed).isEqualTo(named);
    }

    @Test
    void aWrongDtypeIsBadInput() {
        Tensor doubles = new Tensor("input:0", DType.FLOAT64, FACE_SHAPE, ByteBuffer.allocate(128 * 128 * 3 * 8));
        assertThatThrownBy(() -> engine.run(TestModels.BLAZEFACE, faceHash, List.of(doubles)))
                .isInstanceOf(InferenceException.class)
                .hasMessage("input 'input:0' expects float32 1x128x128x3, got float64 1x128x128x3")
                .extracting(e -> ((InferenceException) e).code()).isEqualTo(ErrorCode.BAD_INPUT);
    }

    @Test
    void aWrongShapeIsBadInput() {
        Tensor small = TestModels.randomFloats("input:0", new long[] {1, 64, 64, 3}, 3);
        assertThatThrownBy(() -> engine.run(TestModels.BLAZEFACE, faceHash, List.of(small)))
                .hasMessage("input 'input:0' expects float32 1x128x128x3, got float32 1x64x64x3")
                .extracting(e -> ((InferenceException) e).code()).isEqualTo(ErrorCode.BAD_INPUT);
    }

    @Test
    void anUnknownOrMissingInputIsBadInput() {
        Tensor stranger = TestModels.randomFloats("image", FACE_SHAPE, 4);
        assertThatThrownBy(() -> engine.run(TestModels.BLAZEFACE, faceHash, List.of(stranger)))
                .hasMessageStartingWith("unknown input 'image'; the model's inputs are 'input:0' float32 1x128x128x3")
                .extracting(e -> ((InferenceException) e).code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThatThrownBy(() -> engine.run(TestModels.BLAZEFACE, faceHash, List.of()))
                .hasMessage("missing input 'input:0' float32 1x128x128x3")
                .extracting(e -> ((InferenceException) e).code()).isEqualTo(ErrorCode.BAD_INPUT);
    }

    @Test
    void bytesThatAreNotOnnxAreBadModel() throws Exception {
        byte[] noise = new byte[4096];
        new Random(5).nextBytes(noise);
        Path random = Files.write(tmp.resolve("random.onnx"), noise);
        byte[] face = TestModels.bytes(TestModels.BLAZEFACE);
        Path truncated = Files.write(tmp.resolve("truncated.onnx"), Arrays.copyOf(face, face.length / 2));
        Tensor input = TestModels.randomFloats("", FACE_SHAPE, 6);

        for (Path bad : List.of(random, truncated, random)) { // a failed load is not cached: the third try loads again
            assertThatThrownBy(() -> engine.run(bad, bad.getFileName().toString(), List.of(input)))
                    .isInstanceOf(InferenceException.class)
                    .hasMessageContaining("does not load in ONNX Runtime")
                    .extracting(e -> ((InferenceException) e).code()).isEqualTo(ErrorCode.BAD_MODEL);
        }
    }

    @Test
    void concurrentFirstRunsCreateOneSession() throws Exception {
        try (InferenceEngine fresh = new InferenceEngine(1)) {
            Tensor input = TestModels.randomFloats("", FACE_SHAPE, 7);
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Tensor>>> runs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        return fresh.run(TestModels.BLAZEFACE, faceHash, List.of(input));
                    }));
                }
                go.countDown();
                List<Tensor> first = runs.get(0).get();
                for (Future<List<Tensor>> r : runs) {
                    assertThat(r.get()).isEqualTo(first);
                }
            } finally {
                pool.shutdown();
            }
            assertThat(fresh.loads()).isEqualTo(1);
        }
    }

    @Test
    void theLeastRecentlyUsedSessionIsClosedBeyondTheLimit() throws Exception {
        try (InferenceEngine small = new InferenceEngine(1, 1)) {
            Tensor face = TestModels.randomFloats("", FACE_SHAPE, 8);
            List<Tensor> before = small.run(TestModels.BLAZEFACE, faceHash, List.of(face));
            small.run(TestModels.MLSD, mlsdHash, List.of(TestModels.randomFloats("", MLSD_SHAPE, 9)));
            List<Tensor> after = small.run(TestModels.BLAZEFACE, faceHash, List.of(face));

            assertThat(small.loads()).isEqualTo(3);
            assertThat(after).isEqualTo(before);
        }
    }

    @Test
    void aSliceThatPassesATensorOnGivesItBackEveryRun() throws Exception {
        // cut at 22 and 77, M-LSD tiny's middle slice hands a skip connection from the first to the last slice
        // through unchanged: an output that is also an input, which ONNX Runtime leaves unwritten when pinned
        Manifest m = Slicer.slice(Analysis.of(OnnxModel.load(TestModels.MLSD), InputShapes.none()), new int[] {22, 77}, tmp);
        Manifest.Slice middle = m.slices().get(1);
        assertThat(middle.outputs()).extracting(TensorSpec::name).containsAnyElementsOf(middle.inputs().stream().map(TensorSpec::name).toList());
        try (InferenceEngine extended = new InferenceEngine(1, 8, OrtSession.SessionOptions.OptLevel.EXTENDED_OPT)) {
            for (int run = 0; run < 3; run++) { // the first run copies the outputs out, later ones write into pinned buffers
                Tensor input = TestModels.randomFloats("", MLSD_SHAPE, 20 + run);
                List<Tensor> whole = extended.run(TestModels.MLSD, mlsdHash, List.of(input));
                List<Tensor> x = List.of(input);
                for (Manifest.Slice s : m.slices()) {
                    x = extended.run(tmp.resolve(s.file()), s.sha256(), x);
                }
                assertThat(x).as("run %d", run).containsExactlyInAnyOrderElementsOf(whole);
            }
        }
    }
}
