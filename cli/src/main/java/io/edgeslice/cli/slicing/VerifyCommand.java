package io.edgeslice.cli.slicing;

import io.edgeslice.protocol.Npy;
import io.edgeslice.protocol.Tensor;
import io.edgeslice.slicer.Manifest;
import io.edgeslice.slicer.SessionSettings;
import io.edgeslice.slicer.SlicingException;
import io.edgeslice.slicer.Verification;
import io.edgeslice.slicer.Verifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgeslice verify}: runs the slices and the original model on the same input and compares. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run the chain of slices and the original model (named in manifest.json, checked by SHA-256) on the same input"
                + " and compare every output. Exit code 1 if they differ by more than the tolerance."})
public class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory written by 'slice'.")
    Path dir;

    @Option(names = "--input", paramLabel = "[NAME=]FILE.npy",
            description = "Input tensor as a NumPy .npy file; NAME= may be left out for a single-input model. Default: random input.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-4", description = "Largest acceptable absolute difference (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Timed runs after the compared one (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--opt-level", paramLabel = "LEVEL", defaultValue = "extended",
            description = "ONNX Runtime optimisation for both sides: none, basic, extended or all (default: ${DEFAULT-VALUE};"
                    + " 'all' adds layout changes that alter float results by ~1e-4 relative even without slicing).")
    String optLevel;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (default: ONNX Runtime's choice).")
    int threads;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        return SlicingSupport.run(() -> {
            SessionSettings settings = new SessionSettings(threads, SessionSettings.Optimization.parse(optLevel));
            Verification v = Verifier.verify(dir, readInputs(), settings, runs);
            boolean passed = v.passed(tolerance);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("slices", v.slices());
                out.put("max_abs_diff", v.maxAbsDiff());
                out.put("whole_ms", v.wholeMs());
                out.put("chain_ms", v.chainMs());
                out.put("tolerance", tolerance);
                out.put("passed", passed);
                out.put("outputs", v.outputDiffs());
                SlicingSupport.printJson(out);
            } else {
                Table t = new Table("OUTPUT", "MAX ABS DIFF>");
                v.outputDiffs().forEach((name, d) -> t.row(name, String.format("%.3g", d)));
                t.print();
                System.out.printf("%d slices: max abs diff %.3g (tolerance %.3g), whole %s ms, chain %s ms: %s%n", v.slices(), v.maxAbsDiff(),
                        tolerance, SlicingSupport.ms(v.wholeMs()), SlicingSupport.ms(v.chainMs()), passed ? "OK" : "FAILED");
            }
            return passed ? 0 : 1;
        });
    }

    private Map<String, Tensor> readInputs() throws java.io.IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            String name = eq < 0 ? null : spec.substring(0, eq);
            Path file = Path.of(eq < 0 ? spec : spec.substring(eq + 1));
            if (name == null) {
                List<String> names = Manifest.read(dir).inputs().stream().map(s -> s.name()).toList();
                if (names.size() != 1 || inputs.size() != 1) {
                    throw new SlicingException("the model has inputs " + names + "; name each: --input NAME=FILE.npy");
                }
                name = names.get(0);
            }
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new SlicingException("input file not found: " + file);
            }
            if (out.put(name, Npy.read(file, name)) != null) {
                throw new SlicingException("input '" + name + "' given twice");
            }
        }
        return out;
    }
}
