package io.edgeslice.slicer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.edgeslice.protocol.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * In-process cost of slicing: median latency of the chain of slices against the whole model, both
 * with all ORT optimisations, runs interleaved so that load from other processes hits both alike.
 * Usage: {@code ChainBenchmark [model.onnx] [stages] [runs] [threads] [balanced|even|P1,P2,...] [optimisation] [portable|optimized]};
 * defaults to M-LSD large 320, 3 balanced stages, 30 runs, ORT's default threads, all optimisations,
 * the model's own graph cut ({@code optimized}: the graph ONNX Runtime optimises for this machine,
 * {@link OptimizedGraph}, against the model itself run whole).
 */
public final class ChainBenchmark {
    private ChainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path model = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : SampleModels.path(SampleModels.MLSD + "mlsd_320x320_large.onnx");
        int stages = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        SessionSettings settings = SessionSettings.DEFAULT.withThreads(args.length > 3 ? Integer.parseInt(args[3]) : 0)
                .with(args.length > 5 ? SessionSettings.Optimization.parse(args[5]) : SessionSettings.Optimization.ALL);
        Path dir = Files.createTempDirectory("chain-benchmark");
        boolean optimizedGraph = args.length > 6 && args[6].equals("optimized");
        Path cut = optimizedGraph ? OptimizedGraph.write(model, dir.resolve("optimized.onnx")) : model;
        Analysis a = Analysis.of(OnnxModel.load(cut), InputShapes.none(), settings, null);
        Profile profile = Profiler.profile(a, "local", new Profiler.Options(24, 2, 5, settings), ProgressListener.NONE);
        String how = args.length > 4 ? args[4] : "balanced";
        int[] cuts = how.equals("even") ? Cuts.evenlySpread(a, stages) : how.equals("balanced") ? Cuts.balanced(a, profile, stages) : Cuts.parse(how);
        Path slices = Files.createDirectories(dir.resolve("slices"));
        Slicer.slice(a, cuts, slices);
        Map<String, OnnxTensor> feed = new HashMap<>();
        for (Tensor t : Inputs.random(a.inputs(), 3).values()) {
            feed.put(t.name(), OrtTensors.toOnnx(t));
        }
        double[] whole = new double[runs];
        double[] chain = new double[runs];
        try (OrtSession session = Ort.session(Files.readAllBytes(model), settings, model.toString());
             SliceChain chainOf = SliceChain.open(slices, settings)) {
            for (int i = -5; i < runs; i++) {
                long t0 = System.nanoTime();
                session.run(feed).close();
                long t1 = System.nanoTime();
                chainOf.runOrt(feed).close();
                long t2 = System.nanoTime();
                if (i >= 0) {
                    whole[i] = (t1 - t0) / 1e6;
                    chain[i] = (t2 - t1) / 1e6;
                }
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        double w = Profiler.median(whole);
        double c = Profiler.median(chain);
        System.out.printf("model %s (%s graph cut), %d stages, cuts %s, %d runs after 5 warm-up, threads %s, optimisation %s%n",
                model.getFileName(), optimizedGraph ? "optimised" : "own",
                stages, Arrays.toString(cuts), runs, settings.intraOpThreads() == 0 ? "default" : settings.intraOpThreads(),
                settings.optimization().lowerName());
        System.out.printf("whole median %.2f ms (min %.2f), chain median %.2f ms (min %.2f), ratio %.3f%n",
                w, Arrays.stream(whole).min().orElse(0), c, Arrays.stream(chain).min().orElse(0), c / w);
        for (Manifest.Slice s : Manifest.read(slices).slices()) {
            System.out.printf("  slice %d-%d: %d bytes in, %d bytes out%n", s.start(), s.end(), s.bytesIn(), s.bytesOut());
        }
        io.edgeslice.protocol.FileTrees.delete(dir);
    }
}
