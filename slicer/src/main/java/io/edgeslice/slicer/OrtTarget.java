package io.edgeslice.slicer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a graph optimised by ONNX Runtime at level all is tied to: the ONNX Runtime version (its
 * fusions and contrib operators) and the CPU features its kernels dispatch on (the NCHWc block is 16
 * floats with AVX-512, 8 with AVX2). Two machines with the same target run such a graph with the same
 * kernels, bit for bit; on any other it may compute differently or not load. The string is e.g.
 * {@code onnxruntime-1.23.2 amd64 avx+avx2+fma+avx512f+avx512bw+avx512dq+avx512vl}.
 */
public final class OrtTarget {
    /** The x86 features ONNX Runtime's MLAS kernels dispatch on, in a fixed order. */
    private static final List<String> X86_FEATURES = List.of("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl",
            "avx512_vnni", "avx_vnni", "amx_tile");
    /** The same for 64-bit ARM. */
    private static final List<String> ARM_FEATURES = List.of("asimd", "asimdhp", "asimddp", "i8mm", "bf16", "sve", "sve2");
    private static volatile String local;

    private OrtTarget() {
    }

    /**
     * This machine's target, or "" when its CPU features cannot be read (then no optimised graph is
     * made or accepted here).
     */
    public static String local() {
        String t = local;
        if (t == null) {
            String features = cpuFeatures(Path.of("/proc/cpuinfo"), System.getProperty("os.arch"));
            t = features.isEmpty() ? "" : "onnxruntime-" + Ort.env().getVersion() + " " + System.getProperty("os.arch") + " " + features;
            local = t;
        }
        return t;
    }

    /** The features of {@code cpuinfo} that matter for the architecture, joined by '+'; "" if unreadable or unknown. */
    static String cpuFeatures(Path cpuinfo, String arch) {
        List<String> relevant = switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_FEATURES;
            case "aarch64", "arm64" -> ARM_FEATURES;
            default -> List.of();
        };
        if (relevant.isEmpty()) {
            return "";
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            return "";
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            String key = colon < 0 ? "" : line.substring(0, colon).trim();
            if (key.equals("flags") || key.equals("Features")) {
                Set<String> present = Set.of(line.substring(colon + 1).trim().split("\\s+"));
                List<String> found = new ArrayList<>();
                for (String f : relevant) {
                    if (present.contains(f)) {
                        found.add(f);
                    }
                }
                return found.isEmpty() ? "baseline" : String.join("+", found);
            }
        }
        return "";
    }
}
