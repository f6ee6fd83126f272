package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.OrtTarget;
import io.edgeslice.slicer.SliceMarks;
import io.edgeslice.slicer.Slicer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slice --graph optimized}: the optimised graph is written beside its slices, and verify compares the chain with it. */
class SliceCommandTest {
    @TempDir
    Path dir;

    @Test
    void theOptimisedGraphIsWrittenBesideItsMarkedSlicesAndTheChainVerifiesExactly() {
        Path model = TestModels.blazefaceFront();
        assertThat(EdgeSliceCommand.commandLine().execute("slice", "--graph", "optimized", "--stages", "2", "--threads", "1",
                "--out", dir.toString(), model.toString())).isZero();
        Path optimized = dir.resolve("face_detection_front_128x128_barracuda-optimized.onnx");
        assertThat(optimized).isRegularFile();
        Manifest m = Manifest.read(dir);
        assertThat(Path.of(m.modelPath())).isEqualTo(optimized.toAbsolutePath());
        assertThat(m.slices()).hasSize(2).allSatisfy(s ->
                assertThat(Slicer.marks(dir.resolve(s.file()))).isEqualTo(new SliceMarks(true, OrtTarget.local())));
        assertThat(EdgeSliceCommand.commandLine().execute("verify", "--opt-level", "all", "--threads", "1", "--tolerance", "0",
                dir.toString())).as("the chain equals the optimised graph bit for bit").isZero();
    }

    @Test
    void anUnknownGraphIsRefused() {
        assertThat(EdgeSliceCommand.commandLine().execute("slice", "--graph", "fast", "--cuts", "40", "--out", dir.toString(),
                TestModels.blazefaceFront().toString())).isNotZero();
        assertThat(dir.resolve(Manifest.FILE_NAME)).doesNotExist();
    }
}
