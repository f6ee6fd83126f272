package io.edgeslice.slicer;

import io.edgeslice.protocol.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measured latencies of a model's segments on one device, for one set of input shapes. The
 * segments run between consecutive {@link #positions()}. Run separately, each segment pays its own
 * per-run overhead and loses fusions across its ends, so the raw segment times add up to more than
 * the whole model takes (up to ~2x for models of a few milliseconds). Predictions therefore spread
 * the whole model's measured time over the segments in proportion to their measured times
 * ({@link #ms}): a stage running the whole model is predicted exactly, a stage between two
 * profiled positions gets its share. A whole-model time above the segments' sum can only be noise
 * (load from other processes while it was measured), so the scale never exceeds 1.
 *
 * @param format      profile format version, {@link #FORMAT}
 * @param model       file name of the model
 * @param modelSha256 SHA-256 of the model file
 * @param order       node order the positions refer to
 * @param nodes       node count in that order
 * @param inputShapes input shapes measured with
 * @param device      name of the device measured on
 * @param threads     intra-op threads per session (0: ONNX Runtime's default)
 * @param positions   increasing cut positions, first 0 and last {@code nodes}
 * @param bytes       bytes crossing each position (model inputs at 0, outputs at the end)
 * @param segmentMs   median latency of each segment between consecutive positions
 * @param wholeMs     median latency of the whole model
 * @param runs        timed runs per median
 */
public record Profile(int format, String model, String modelSha256, String order, int nodes, Map<String, List<Long>> inputShapes,
                      String device, int threads, List<Integer> positions, List<Long> bytes, List<Double> segmentMs,
                      double wholeMs, int runs) {
    public static final int FORMAT = 1;

    public Profile {
        inputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(inputShapes));
        positions = List.copyOf(positions);
        bytes = List.copyOf(bytes);
        segmentMs = List.copyOf(segmentMs);
        if (positions.size() < 2 || bytes.size() != positions.size() || segmentMs.size() != positions.size() - 1) {
            throw new SlicingException("inconsistent profile: " + positions.size() + " positions, " + bytes.size() + " byte counts, "
                    + segmentMs.size() + " segment times");
        }
    }

    /**
     * Predicted time of the stage from positions index {@code from} to index {@code to}: the sum of
     * its segments' times scaled by {@code min(1, wholeMs / segmentSumMs())}.
     */
    public double ms(int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += segmentMs.get(i);
        }
        double total = segmentSumMs();
        return wholeMs > 0 && wholeMs < total ? sum * (wholeMs / total) : sum;
    }

    /**
     * This profile without some interior positions: the segments on either side of a removed
     * position merge (their times add up), so cuts can only be chosen among the positions left.
     */
    public Profile without(java.util.Set<Integer> removed) {
        List<Integer> pos = new java.util.ArrayList<>();
        List<Long> b = new java.util.ArrayList<>();
        List<Double> seg = new java.util.ArrayList<>();
        double pending = 0;
        for (int i = 0; i < positions.size(); i++) {
            boolean interior = i > 0 && i < positions.size() - 1;
            if (i > 0) {
                pending += segmentMs.get(i - 1);
            }
            if (interior && removed.contains(positions.get(i))) {
                continue;
            }
            if (i > 0) {
                seg.add(pending);
                pending = 0;
            }
            pos.add(positions.get(i));
            b.add(bytes.get(i));
        }
        return new Profile(format, model, modelSha256, order, nodes, inputShapes, device, threads, pos, b, seg, wholeMs, runs);
    }

    /** Sum of the raw segment times. */
    public double segmentSumMs() {
        return segmentMs.stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Throws unless this profile was measured for the same model, node order and input shapes. */
    public void checkMatches(Analysis a) {
        String why = null;
        if (!modelSha256.equals(a.model().sha256())) {
            why = "model sha256 " + modelSha256 + " differs from " + a.model().sha256();
        } else if (!order.equals(a.order().lowerName()) || nodes != a.nodeCount()) {
            why = "node order " + order + " (" + nodes + " nodes) differs from " + a.order().lowerName() + " (" + a.nodeCount() + " nodes)";
        } else if (!inputShapes.equals(shapeLists(a.inputShapes()))) {
            why = "input shapes " + inputShapes + " differ from " + shapeLists(a.inputShapes());
        }
        if (why != null) {
            throw new SlicingException("the profile of " + model + " on '" + device + "' does not match " + a.model().fileName() + ": " + why);
        }
    }

    /** Shapes as lists, the form manifests and profiles keep them in (arrays would break record equality). */
    static Map<String, List<Long>> shapeLists(Map<String, long[]> shapes) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        shapes.forEach((k, v) -> out.put(k, Arrays.stream(v).boxed().toList()));
        return out;
    }

    /** A file name that identifies model, input shapes and device, e.g. {@code mlsd-3f2a…-1x320x320x4-pi.profile.json}. */
    public String defaultFileName() {
        String base = model.replaceFirst("\\.onnx$", "");
        StringBuilder shapes = new StringBuilder();
        inputShapes.values().forEach(s -> shapes.append(shapes.length() == 0 ? "" : "_")
                .append(Tensor.shapeString(s.stream().mapToLong(Long::longValue).toArray())));
        return (base + "-" + modelSha256.substring(0, 12) + "-" + shapes + "-" + device).replaceAll("[^A-Za-z0-9._-]", "_") + ".profile.json";
    }

    public void save(Path file) {
        Json.write(file, this);
    }

    public static Profile load(Path file) {
        Profile p = Json.read(file, Profile.class, "profile");
        if (p.format() != FORMAT) {
            throw new SlicingException(file + " is a format-" + p.format() + " profile; expected format " + FORMAT);
        }
        return p;
    }
}
