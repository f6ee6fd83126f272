package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelTest {
    @TempDir
    Path dir;

    @Test
    void loadsAModelAndHashesItsBytes() throws Exception {
        Path file = SampleModels.path(SampleModels.BLAZEFACE + "face_detection_front_128x128_barracuda.onnx");
        OnnxModel m = OnnxModel.load(file);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertThat(m.sha256()).isEqualTo(expected);
        assertThat(m.opset()).isEqualTo(12);
        assertThat(m.inputNames()).containsExactly("input:0");
        assertThat(m.outputNames()).containsExactly("Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0");
    }

    @Test
    void rejectsAFileThatIsNotOnnx() throws Exception {
        Path file = dir.resolve("notes.onnx");
        Files.writeString(file, "name: resnet\nlayers: [conv, relu, pool]\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(SlicingException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not an ONNX model");
    }

    @Test
    void rejectsATruncatedModel() throws Exception {
        byte[] bytes = Files.readAllBytes(SampleModels.path(SampleModels.MLSD + "mlsd_320x320_tiny.onnx"));
        Path file = dir.resolve("half.onnx");
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(SlicingException.class).hasMessageContaining("truncated");
    }

    @Test
    void rejectsAnEmptyOrMissingFile() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        assertThatThrownBy(() -> OnnxModel.load(empty)).isInstanceOf(SlicingException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> OnnxModel.load(dir.resolve("nope.onnx"))).isInstanceOf(SlicingException.class)
                .hasMessageContaining("model file not found");
    }

    @Test
    void rejectsOpsetsTheRuntimeDoesNotRun() throws Exception {
        Path tooNew = TestGraphs.write(dir, "new.onnx", withOpset(TestGraphs.residual(1), 24));
        assertThatThrownBy(() -> OnnxModel.load(tooNew)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("unsupported opset 24").hasMessageContaining("7 to 23");
        Path tooOld = TestGraphs.write(dir, "old.onnx", withOpset(TestGraphs.residual(1), 6));
        assertThatThrownBy(() -> OnnxModel.load(tooOld)).isInstanceOf(SlicingException.class).hasMessageContaining("unsupported opset 6");
        Path ok = TestGraphs.write(dir, "ok.onnx", withOpset(TestGraphs.residual(1), 23));
        assertThat(OnnxModel.load(ok).opset()).isEqualTo(23);
    }

    @Test
    void rejectsAGraphReadingAnUndefinedTensor() throws Exception {
        OnnxMl.ModelProto m = TestGraphs.residual(1);
        OnnxMl.ModelProto broken = m.toBuilder().setGraph(m.getGraph().toBuilder().removeNode(1)).build();
        Path file = TestGraphs.write(dir, "broken.onnx", broken);
        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("reads 'b0r1', which no node, graph input or initializer provides");
    }

    @Test
    void rejectsWeightsInExternalFiles() throws Exception {
        OnnxMl.ModelProto m = TestGraphs.residual(1);
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setInitializer(0, g.getInitializer(0).toBuilder().clearRawData().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")));
        Path file = TestGraphs.write(dir, "external.onnx", m.toBuilder().setGraph(g).build());
        assertThatThrownBy(() -> OnnxModel.load(file)).isInstanceOf(SlicingException.class)
                .hasMessageContaining("initializer 'b0c1.w' is stored in an external data file");
    }

    private static OnnxMl.ModelProto withOpset(OnnxMl.ModelProto m, int opset) {
        return m.toBuilder().setOpsetImport(0, OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }
}
