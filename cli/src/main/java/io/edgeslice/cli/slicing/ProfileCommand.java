package io.edgeslice.cli.slicing;

import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.Profiler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgeslice profile}: measures a model's segments on this machine. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Measure the latency of a model's segments on this machine with ONNX Runtime and save the profile as JSON.",
                "Run it on each device and name the files in nodes.yaml, or scale one profile by speed factors."})
public class ProfileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The model to profile.")
    Path model;

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS", description = "Shape of an input, e.g. x=1x3x320x320; required for dynamic dimensions.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--device", paramLabel = "NAME", defaultValue = "local", description = "Name of this device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Where to save the profile (default: <model>-<sha>-<shape>-<device>.profile.json here).")
    Path out;

    @Option(names = "--segments", paramLabel = "N", defaultValue = "24", description = "At most this many segments (default: ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Timed runs per segment; the median is kept (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed runs per segment (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: ONNX Runtime's choice).")
    int threads;

    @Option(names = "--json", description = "Also print the profile as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return SlicingSupport.run(() -> {
            Analysis a = Analysis.of(OnnxModel.load(model), InputShapes.parse(inputShapes), SlicingSupport.settings(threads), null);
            Profile p = Profiler.profile(a, device, new Profiler.Options(segments, warmup, runs, SlicingSupport.settings(threads)),
                    SlicingSupport.progress());
            Path file = out != null ? out : Path.of(p.defaultFileName());
            p.save(file);
            if (json) {
                SlicingSupport.printJson(p);
                return 0;
            }
            Table t = new Table("FROM>", "TO>", "MS>", "BYTES AT END>");
            for (int i = 0; i < p.segmentMs().size(); i++) {
                t.row(p.positions().get(i), p.positions().get(i + 1), SlicingSupport.ms(p.segmentMs().get(i)),
                        SlicingSupport.bytes(p.bytes().get(i + 1)));
            }
            t.print();
            System.out.printf("segments run separately sum to %s ms, whole model %s ms on '%s'; saved %s%n", SlicingSupport.ms(p.segmentSumMs()),
                    SlicingSupport.ms(p.wholeMs()), device, file);
            return 0;
        });
    }
}
