package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Slices of the graph ONNX Runtime optimises for this machine: it holds ONNX Runtime's own operators,
 * costs what the model costs, and a chain cut anywhere in it equals the model run whole at level all
 * bit for bit; its slices carry this machine's target and nothing of another target runs them.
 */
class OptimizedGraphTest {
    @TempDir
    Path dir;

    @Test
    void chainsCutAnywhereInTheOptimisedGraphEqualTheWholeModelAtLevelAll() throws IOException {
        Path model = SampleModels.path(SampleModels.MLSD + "mlsd_320x320_tiny.onnx");
        Path optimized = OptimizedGraph.write(model, dir.resolve("optimized.onnx"));
        Analysis a = Analysis.of(OnnxModel.load(optimized), InputShapes.none(), AnalysisTest.TWO_THREADS, null);
        Analysis portable = Analysis.of(OnnxModel.load(model), InputShapes.none(), AnalysisTest.TWO_THREADS, null);
        assertThat(a.graph().nodes).anyMatch(n -> n.getDomain().equals("com.microsoft.nchwc"));
        assertThat(a.nodeCount()).isLessThan(portable.nodeCount()); // fused
        // the cost estimates know ONNX Runtime's operators: the same arithmetic as the model's (padding adds a little)
        assertThat((double) a.totalFlops() / portable.totalFlops()).isBetween(0.98, 1.1);

        int[] interior = a.interiorCuts();
        String target = OrtTarget.local();
        for (int[] cuts : new int[][] {{interior[interior.length / 4]}, {interior[interior.length / 3], interior[2 * interior.length / 3]},
                {interior[interior.length / 5], interior[interior.length / 2], interior[4 * interior.length / 5]}}) {
            Path slices = Files.createDirectories(dir.resolve("cut-" + cuts.length));
            Manifest m = Slicer.slice(a, cuts, slices, new SliceMarks(true, target));
            assertThat(OptimizedGraph.chainExact(model, slices)).as("cuts %s", java.util.Arrays.toString(cuts)).isTrue();
            for (Manifest.Slice s : m.slices()) {
                assertThat(Slicer.marks(slices.resolve(s.file()))).isEqualTo(new SliceMarks(true, target));
            }
        }
    }

    @Test
    void aMissingModelIsNamed() {
        assertThatThrownBy(() -> OptimizedGraph.write(dir.resolve("none.onnx"), dir.resolve("o.onnx")))
                .isInstanceOf(SlicingException.class).hasMessageContaining("none.onnx");
    }

    @Test
    void onlyTheTargetASliceWasCutForRunsIt() {
        String here = "onnxruntime-1.23.2 amd64 avx+avx2+fma";
        assertThat(SliceMarks.PORTABLE.refusalOn(here)).isEmpty();
        assertThat(new SliceMarks(true, "").refusalOn("")).isEmpty();
        assertThat(new SliceMarks(true, here).refusalOn(here)).isEmpty();
        assertThat(new SliceMarks(true, here).refusalOn("onnxruntime-1.23.2 amd64 avx+avx2+fma+avx512f"))
                .contains(here).contains("avx512f").contains("--graph portable");
        assertThat(new SliceMarks(true, here).refusalOn("")).contains("unknown target");
        assertThatThrownBy(() -> new SliceMarks(false, here)).hasMessageContaining("level all");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "amd64   | flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512bw avx512dq avx512vl | avx+avx2+fma+avx512f+avx512bw+avx512dq+avx512vl",
            "x86_64  | flags\t\t: fpu sse sse2 ssse3                                         | baseline",
            "aarch64 | Features\t: fp asimd evtstrm aes crc32 asimddp                        | asimd+asimddp",
            "riscv64 | isa\t\t: rv64imafdc                                               | ''",
            "amd64   | processor\t: 0                                                        | ''"})
    void cpuFeaturesAreTheOnesOnnxRuntimeDispatchesOn(String arch, String line, String expected) throws IOException {
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\n" + line.strip() + "\n");
        assertThat(OrtTarget.cpuFeatures(cpuinfo, arch)).isEqualTo(expected);
        assertThat(OrtTarget.cpuFeatures(dir.resolve("missing"), arch)).isEmpty();
    }

    @Test
    void thisMachinesTargetNamesTheRuntimeAndTheArchitecture() {
        assertThat(OrtTarget.local()).startsWith("onnxruntime-").contains(System.getProperty("os.arch"));
    }
}
