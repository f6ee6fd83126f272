package io.edgeslice.cli.slicing;

import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.OptimizedGraph;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.Profiler;
import io.edgeslice.slicer.SliceMarks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgeslice slice}: cuts a model into slice models plus a manifest. */
@Command(name = "slice", mixinStandardHelpOptions = true,
        description = {"Cut an ONNX model into slices and write them with a manifest.json.",
                "--stages N profiles the model on this machine and balances the measured compute, preferring small crossings;"
                        + " --cuts takes positions from 'analyze' or 'plan'."})
public class SliceCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The model to cut.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Where where;

    static class Where {
        @Option(names = "--stages", paramLabel = "N", description = "Number of slices, cut where compute is balanced.")
        Integer stages;

        @Option(names = "--cuts", paramLabel = "P1,P2,...", description = "Cut positions, strictly increasing.")
        String cuts;
    }

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS", description = "Shape of an input, e.g. x=1x3x320x320; required for dynamic dimensions.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the slices and manifest.json (created if needed).")
    Path out;

    @Option(names = "--profile", paramLabel = "FILE", description = "With --stages: use this profile of this machine instead of measuring one.")
    Path profile;

    @Option(names = "--link-mbps", paramLabel = "MBPS", defaultValue = "1000",
            description = "With --stages: bandwidth assumed between stages when balancing (default: ${DEFAULT-VALUE}).")
    double linkMbps;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: ONNX Runtime's choice).")
    int threads;

    @Option(names = "--graph", defaultValue = "portable", paramLabel = "portable|optimized", description = "The graph to cut: the model's own "
            + "(portable), or the one ONNX Runtime optimises for this machine, written to DIR as MODEL-optimized.onnx (the manifest's model, "
            + "which 'analyze' lists and 'verify --opt-level all' compares with); its slices run only on this machine's ONNX Runtime target "
            + "(docs/slicer.md) (default: ${DEFAULT-VALUE}).")
    String graph;

    @Option(names = "--json", description = "Print the manifest as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return SlicingSupport.run(() -> {
            if (!graph.equals("portable") && !graph.equals("optimized")) {
                throw new IllegalArgumentException("--graph takes portable or optimized, not '" + graph + "'");
            }
            boolean optimized = graph.equals("optimized");
            Path source = model;
            if (optimized) {
                java.nio.file.Files.createDirectories(out);
                String name = model.getFileName().toString().replaceFirst("\\.onnx$", "");
                source = OptimizedGraph.write(model, out.resolve(name + "-optimized.onnx"));
            }
            Analysis a = Analysis.of(OnnxModel.load(source), InputShapes.parse(inputShapes), SlicingSupport.settings(threads), null);
            int[] cuts;
            if (where.cuts != null) {
                cuts = Cuts.parse(where.cuts);
            } else {
                Profile p;
                if (profile != null) {
                    p = Profile.load(profile);
                } else {
                    Profiler.Options o = Profiler.Options.DEFAULT;
                    p = Profiler.profile(a, "local", new Profiler.Options(Math.max(o.maxSegments(), where.stages), o.warmup(), o.runs(),
                            SlicingSupport.settings(threads)), SlicingSupport.progress());
                }
                cuts = Cuts.balanced(a, p, where.stages, linkMbps);
            }
            Manifest m = io.edgeslice.slicer.Slicer.slice(a, cuts, out, optimized ? SliceMarks.optimizedHere() : SliceMarks.PORTABLE);
            if (json) {
                SlicingSupport.printJson(m);
                return 0;
            }
            Table t = new Table("SLICE>", "START>", "END>", "BYTES IN>", "BYTES OUT>", "FLOPS>", "FILE");
            for (int i = 0; i < m.slices().size(); i++) {
                Manifest.Slice s = m.slices().get(i);
                t.row(i, s.start(), s.end(), SlicingSupport.bytes(s.bytesIn()), SlicingSupport.bytes(s.bytesOut()),
                        SlicingSupport.flops(s.flops()), out.resolve(s.file()));
            }
            t.print();
            System.out.println("wrote " + out.resolve(Manifest.FILE_NAME) + " (cuts " + java.util.Arrays.toString(m.cuts()) + ")");
            return 0;
        });
    }
}
