package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.edgeslice.protocol.DType;
import io.edgeslice.protocol.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlicerTest {
    static final SessionSettings VERIFY = SessionSettings.VERIFY.withThreads(2);

    @TempDir
    Path dir;

    private Analysis analyse(OnnxMl.ModelProto m, String... shapes) throws Exception {
        return Analysis.of(OnnxModel.load(TestGraphs.write(dir, "m.onnx", m)), InputShapes.parse(List.of(shapes)), AnalysisTest.TWO_THREADS, null);
    }

    private static OnnxMl.ModelProto read(Path file) throws Exception {
        return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
    }

    private static Map<String, String> metadata(OnnxMl.ModelProto m) {
        Map<String, String> out = new HashMap<>();
        m.getMetadataPropsList().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Test
    void writesSlicesAndAManifestThatDescribesThem() throws Exception {
        Analysis a = analyse(TestGraphs.residual(3));
        Path out = dir.resolve("out");
        Manifest m = Slicer.slice(a, new int[] {5, 10}, out);

        assertThat(m.model()).isEqualTo("m.onnx");
        assertThat(m.modelPath()).isEqualTo(dir.resolve("m.onnx").toAbsolutePath().toString());
        assertThat(m.modelSha256()).isEqualTo(OnnxModel.sha256(dir.resolve("m.onnx")));
        assertThat(m.nodes()).isEqualTo(15);
        assertThat(m.inputShapes()).containsExactly(Map.entry("x", List.of(1L, 4L, 8L, 8L)));
        assertThat(m.cuts()).containsExactly(5, 10);
        assertThat(m.totals().bytes()).isEqualTo(2 * 1024);
        assertThat(m.totals().flops()).isEqualTo(a.totalFlops());
        assertThat(m.slices()).extracting(Manifest.Slice::start).containsExactly(0, 5, 10);
        assertThat(m.slices()).extracting(Manifest.Slice::end).containsExactly(5, 10, 15);
        assertThat(m.slices().stream().mapToLong(Manifest.Slice::flops).sum()).isEqualTo(a.totalFlops());
        Manifest.Slice middle = m.slices().get(1);
        assertThat(middle.id()).isEqualTo(m.modelSha256() + ":5-10");
        assertThat(middle.inputs()).containsExactly(new TensorSpec("b0out", DType.FLOAT32, new long[] {1, 4, 8, 8}));
        assertThat(middle.outputs()).containsExactly(new TensorSpec("b1out", DType.FLOAT32, new long[] {1, 4, 8, 8}));
        assertThat(middle.bytesIn()).isEqualTo(1024);
        for (Manifest.Slice s : m.slices()) {
            assertThat(OnnxModel.sha256(out.resolve(s.file()))).isEqualTo(s.sha256());
        }
        assertThat(Manifest.read(out)).isEqualTo(m);

        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertThat(json.get("model_sha256").asText()).isEqualTo(m.modelSha256());
        assertThat(json.get("input_shapes").get("x").toString()).isEqualTo("[1,4,8,8]");
        assertThat(json.get("totals").get("bytes").asLong()).isEqualTo(2048);
        com.fasterxml.jackson.databind.JsonNode slice = json.get("slices").get(1);
        assertThat(slice.get("bytes_in").asLong()).isEqualTo(1024);
        assertThat(slice.get("inputs").get(0).toString()).isEqualTo("{\"name\":\"b0out\",\"dtype\":\"float32\",\"shape\":[1,4,8,8]}");
    }

    @Test
    void slicesAreStandaloneModelsThatKeepTheOriginalsHeaderAndRecordTheirIdentity() throws Exception {
        Analysis a = analyse(TestGraphs.residual(2));
        Manifest m = Slicer.slice(a, new int[] {5}, dir.resolve("out"));
        OnnxMl.ModelProto original = a.model().proto();
        OnnxMl.ModelProto first = read(dir.resolve("out").resolve(m.slices().get(0).file()));
        OnnxMl.ModelProto last = read(dir.resolve("out").resolve(m.slices().get(1).file()));
        for (OnnxMl.ModelProto s : List.of(first, last)) {
            assertThat(s.getIrVersion()).isEqualTo(original.getIrVersion());
            assertThat(s.getOpsetImportList()).isEqualTo(original.getOpsetImportList());
            assertThat(s.getProducerName()).isEqualTo("edgeslice-test");
            assertThat(metadata(s)).containsEntry("edgeslice.model", a.model().sha256());
        }
        assertThat(metadata(first)).containsEntry("edgeslice.slice", a.model().sha256() + ":0-5");
        assertThat(first.getGraph().getInput(0)).isEqualTo(original.getGraph().getInput(0));
        assertThat(first.getGraph().getInitializerList()).extracting(OnnxMl.TensorProto::getName)
                .containsExactlyInAnyOrder("b0c1.w", "b0c1.b", "b0c2.w", "b0c2.b");
        OnnxMl.TypeProto.Tensor boundary = first.getGraph().getOutput(0).getType().getTensorType();
        assertThat(boundary.getElemType()).isEqualTo(TestGraphs.FLOAT);
        assertThat(boundary.getShape().getDimList()).extracting(OnnxMl.TensorShapeProto.Dimension::getDimValue).containsExactly(1L, 4L, 8L, 8L);
        assertThat(last.getGraph().getOutputList()).isEqualTo(original.getGraph().getOutputList());
    }

    @Test
    void eachSliceGetsItsOwnCopyOfTheConstantNodesItReads() throws Exception {
        Analysis a = analyse(TestGraphs.sharedConstant(), "x=2x3");
        Manifest m = Slicer.slice(a, new int[] {1}, dir.resolve("out"));
        assertThat(TestGraphs.nodeNames(read(dir.resolve("out/slice-0.onnx")))).containsExactly("c", "add");
        assertThat(TestGraphs.nodeNames(read(dir.resolve("out/slice-1.onnx")))).containsExactly("c", "relu", "mul");
        assertThat(m.slices().get(1).outputs()).extracting(TensorSpec::name).containsExactly("y2", "y1");
        assertThat(verify(dir.resolve("out")).maxAbsDiff()).isZero();
    }

    @Test
    void nodesComputingOnlyFromConstantsAreCopiedLikeConstants() throws Exception {
        Analysis a = analyse(TestGraphs.constantExpression());
        assertThat(a.nodes()).extracting(NodeCost::opType).containsExactly("Relu", "Relu", "Add");
        assertThat(a.candidates()).allSatisfy(c -> assertThat(c.tensors()).extracting(TensorSpec::name).doesNotContain("z"));
        Slicer.slice(a, new int[] {1}, dir.resolve("out"));
        assertThat(TestGraphs.nodeNames(read(dir.resolve("out/slice-0.onnx")))).containsExactly("relu1");
        assertThat(TestGraphs.nodeNames(read(dir.resolve("out/slice-1.onnx")))).containsExactly("zeros", "relu2", "add");
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats("x", new long[] {1, 4}, new float[] {-1, 2, -3, 4}));
        try (SliceChain chain = SliceChain.open(dir.resolve("out"), VERIFY)) {
            assertThat(chain.run(in).get("y").toFloats()).containsExactly(0.5f, 2.5f, 0.5f, 4.5f);
        }
    }

    @Test
    void aModelOutputComputedEarlyIsCarriedToTheEnd() throws Exception {
        Analysis a = analyse(TestGraphs.sharedConstant(), "x=2x3");
        Manifest m = Slicer.slice(a, new int[] {1, 2}, dir.resolve("out"));
        assertThat(m.slices().get(1).inputs()).extracting(TensorSpec::name).containsExactly("y1");
        assertThat(m.slices().get(1).outputs()).extracting(TensorSpec::name).containsExactly("y1", "r");
        Verification v = verify(dir.resolve("out"));
        assertThat(v.outputDiffs()).containsOnlyKeys("y2", "y1");
        assertThat(v.maxAbsDiff()).isZero();
    }

    @Test
    void aCutBeforeAnIfPassesTheTensorsItsBranchesRead() throws Exception {
        Analysis a = analyse(TestGraphs.ifModel());
        Manifest m = Slicer.slice(a, new int[] {3}, dir.resolve("out"));
        assertThat(m.slices().get(1).inputs()).extracting(TensorSpec::name).containsExactlyInAnyOrder("r", "cond");
        for (float[] x : List.of(new float[] {1, -2}, new float[] {-1, -2})) {
            Map<String, Tensor> in = Map.of("x", Tensor.ofFloats("x", new long[] {2}, x));
            try (Verifier v = Verifier.open(a.model().path(), VERIFY)) {
                assertThat(v.verify(dir.resolve("out"), in, 0).maxAbsDiff()).isZero();
            }
            try (SliceChain chain = SliceChain.open(dir.resolve("out"), VERIFY)) {
                float r0 = Math.max(x[0], 0);
                float expected = (x[0] > 0 ? r0 + 1 : r0 - 1) * r0;
                assertThat(chain.run(in).get("out").toFloats()[0]).isEqualTo(expected);
            }
        }
    }

    @Test
    void keepsDynamicDimensionsSymbolicSoSlicesRunOnOtherShapes() throws Exception {
        OnnxModel det = OnnxModel.load(SampleModels.path(SampleModels.OCR + "ch_PP-OCRv4_det_infer.onnx"));
        Analysis a = Analysis.of(det, InputShapes.parse(List.of("x=1x3x64x64")), AnalysisTest.TWO_THREADS, null);
        Path out = dir.resolve("det");
        Slicer.slice(a, Cuts.evenlySpread(a, 3), out);
        OnnxMl.ValueInfoProto middleInput = read(out.resolve("slice-1.onnx")).getGraph().getInput(0);
        assertThat(middleInput.getType().getTensorType().getShape().getDim(0).hasDimValue()).as("batch stays symbolic").isFalse();
        assertThat(middleInput.getType().getTensorType().getShape().getDim(1).getDimValue()).as("channels stay fixed").isPositive();
        Map<String, Tensor> other = Inputs.random(List.of(new TensorSpec("x", DType.FLOAT32, new long[] {2, 3, 96, 128})), 11);
        try (Verifier v = Verifier.open(det.path(), VERIFY)) {
            Verification result = v.verify(out, other, 0);
            assertThat(result.maxAbsDiff()).isLessThanOrEqualTo(1e-5);
        }
        try (SliceChain chain = SliceChain.open(out, VERIFY)) {
            assertThat(chain.run(other).get("sigmoid_0.tmp_0").shape()).containsExactly(2, 1, 96, 128);
        }
    }

    @Test
    void rejectsCutsOutOfRangeNotIncreasingOrUnusable() throws Exception {
        Analysis a = analyse(TestGraphs.residual(2));
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> Slicer.slice(a, new int[] {0}, out)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("cut position 0 is out of range").hasMessageContaining("between 0 and 10");
        assertThatThrownBy(() -> Slicer.slice(a, new int[] {10}, out)).hasMessageContaining("cut position 10 is out of range");
        assertThatThrownBy(() -> Slicer.slice(a, new int[] {3, 12}, out)).hasMessageContaining("cut position 12 is out of range");
        assertThatThrownBy(() -> Slicer.slice(a, new int[] {-1}, out)).hasMessageContaining("cut position -1 is out of range");
        assertThatThrownBy(() -> Slicer.slice(a, new int[] {6, 4}, out)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("strictly increasing, but 4 follows 6");
        assertThatThrownBy(() -> Slicer.slice(a, new int[] {4, 4}, out)).hasMessageContaining("strictly increasing, but 4 follows 4");
        Analysis cast = analyse(TestGraphs.uint32Crossing());
        assertThatThrownBy(() -> Slicer.slice(cast, new int[] {1}, out)).hasMessageContaining("cannot cut at position 1");
        assertThatThrownBy(() -> Cuts.parse("3,x")).isInstanceOf(SlicingException.class).hasMessageContaining("bad cut position 'x'");
        assertThat(Files.exists(out.resolve(Manifest.FILE_NAME))).isFalse();
    }

    @Test
    void rejectsMoreStagesThanValidCuts() throws Exception {
        Analysis cast = analyse(TestGraphs.uint32Crossing());
        assertThat(Cuts.evenlySpread(cast, 2)).containsExactly(2);
        assertThatThrownBy(() -> Cuts.evenlySpread(cast, 3)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("into 3 stages: it has only 1 valid cut positions");
        assertThatThrownBy(() -> Cuts.evenlySpread(cast, 0)).hasMessageContaining("at least 1");
    }

    @Test
    void evenlySpreadCutsAreIncreasingValidAndNearEqualShares() throws Exception {
        Analysis a = analyse(TestGraphs.residual(4));
        assertThat(Cuts.evenlySpread(a, 4)).containsExactly(5, 10, 15);
        assertThat(Cuts.evenlySpread(a, 20)).hasSize(19).isSorted().doesNotHaveDuplicates();
        assertThat(Cuts.evenlySpread(a, 1)).isEmpty();
    }

    @Test
    void reslicingRemovesTheOldSliceFiles() throws Exception {
        Analysis a = analyse(TestGraphs.residual(3));
        Path out = dir.resolve("out");
        Slicer.slice(a, new int[] {3, 6, 9}, out);
        assertThat(out.resolve("slice-3.onnx")).exists();
        Slicer.slice(a, new int[] {5}, out);
        assertThat(out.resolve("slice-3.onnx")).doesNotExist();
        assertThat(out.resolve("slice-2.onnx")).doesNotExist();
        assertThat(verify(out).slices()).isEqualTo(2);
    }

    @Test
    void verificationCatchesATamperedSliceOrAChangedModel() throws Exception {
        Analysis a = analyse(TestGraphs.residual(2));
        Path out = dir.resolve("out");
        Manifest m = Slicer.slice(a, new int[] {5}, out);
        assertThat(verify(out).maxAbsDiff()).isZero();

        // Different weights, same structure: the chain must disagree with the whole model.
        OnnxMl.ModelProto other = TestGraphs.residual(2);
        OnnxMl.GraphProto.Builder g = other.getGraph().toBuilder();
        g.setInitializer(0, TestGraphs.floats("b0c1.w", new java.util.SplittableRandom(99), 4, 4, 3, 3));
        Path tampered = dir.resolve("tampered");
        Files.createDirectories(tampered);
        Slicer.slice(Analysis.of(OnnxModel.load(TestGraphs.write(tampered, "m.onnx", other.toBuilder().setGraph(g).build())),
                InputShapes.none(), AnalysisTest.TWO_THREADS, null), new int[] {5}, tampered);
        Files.copy(tampered.resolve("slice-0.onnx"), out.resolve("slice-0.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> verify(out)).isInstanceOf(SlicingException.class).hasMessageContaining("slice-0.onnx has sha256");

        Manifest forged = new Manifest(m.format(), m.model(), m.modelPath(), m.modelSha256(), m.order(), m.nodes(), m.inputShapes(),
                m.inputs(), m.outputs(), m.totals(), List.of(withSha(m.slices().get(0), OnnxModel.sha256(out.resolve("slice-0.onnx"))),
                m.slices().get(1)));
        forged.write(out);
        assertThat(verify(out).maxAbsDiff()).as("wrong weights are caught numerically").isGreaterThan(1e-3);

        Files.write(dir.resolve("m.onnx"), TestGraphs.residual(3).toByteArray());
        assertThatThrownBy(() -> verify(out)).isInstanceOf(SlicingException.class).hasMessageContaining("was the model changed");
    }

    private static Manifest.Slice withSha(Manifest.Slice s, String sha) {
        return new Manifest.Slice(s.id(), s.start(), s.end(), s.file(), sha, s.inputs(), s.outputs(), s.bytesIn(), s.bytesOut(), s.flops());
    }

    @Test
    void verificationRejectsInputsThatDoNotFitTheModel() throws Exception {
        Analysis a = analyse(TestGraphs.residual(1));
        Slicer.slice(a, new int[] {2}, dir.resolve("out"));
        Tensor wrongName = Tensor.ofFloats("image", new long[] {1, 4, 8, 8}, new float[256]);
        assertThatThrownBy(() -> Verifier.verify(dir.resolve("out"), Map.of("image", wrongName), VERIFY, 0))
                .isInstanceOf(SlicingException.class).hasMessageContaining("unknown input 'image'");
        Tensor ints = new Tensor("x", DType.INT32, new long[] {1, 4, 8, 8}, java.nio.ByteBuffer.allocate(1024));
        assertThatThrownBy(() -> Verifier.verify(dir.resolve("out"), Map.of("x", ints), VERIFY, 0))
                .hasMessageContaining("input 'x' is int32 but the model wants float32");
    }

    private static Verification verify(Path sliceDir) {
        return Verifier.verify(sliceDir, Map.of(), VERIFY, 0);
    }
}
