package io.edgeslice.slicer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.edgeslice.protocol.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Measures a model's latency on this machine, segment by segment, with ONNX Runtime. Summing
 * per-node timings would be wrong (ORT fuses nodes), so each segment between consecutive chosen
 * positions runs as its own extracted model, fed with the previous segment's real outputs.
 */
public final class Profiler {
    /**
     * @param maxSegments at most this many segments (the positions are spread by FLOPs, small crossings preferred)
     * @param warmup      untimed runs per segment (in the first round)
     * @param runs        timed runs per segment and round; the median is kept
     * @param rounds      rounds over the whole model and every segment; each keeps its fastest round, so a
     *                    stretch of interference (a process starting, the machine slowing) costs one round of
     *                    every segment alike instead of all the runs of the segments timed during it
     */
    public record Options(int maxSegments, int warmup, int runs, int rounds, SessionSettings settings) {
        public static final Options DEFAULT = new Options(24, 2, 5, 3, SessionSettings.DEFAULT);

        public Options {
            if (maxSegments < 1 || warmup < 0 || runs < 1 || rounds < 1) {
                throw new SlicingException("bad profiling options: segments " + maxSegments + ", warm-up " + warmup + ", runs " + runs
                        + ", rounds " + rounds);
            }
        }

        /** One round. */
        public Options(int maxSegments, int warmup, int runs, SessionSettings settings) {
            this(maxSegments, warmup, runs, 1, settings);
        }
    }

    private Profiler() {
    }

    /** Profiles the analysed model as {@code device}; takes seconds for the sample models. */
    public static Profile profile(Analysis a, String device, Options options, ProgressListener listener) {
        int[] positions = positions(a, options.maxSegments());
        int segments = positions.length - 1;
        double[] segmentMs = new double[segments];
        Arrays.fill(segmentMs, Double.POSITIVE_INFINITY);
        double whole = Double.POSITIVE_INFINITY;
        Map<String, OnnxTensor> inputs = new HashMap<>();
        List<OrtSession> sessions = new ArrayList<>(); // the segments', made in the first round
        int steps = options.rounds() * (segments + 1);
        try (OrtSession wholeModel = Ort.session(a.model().proto().toByteArray(), options.settings(), a.model().fileName())) {
            randomInputs(a, inputs);
            for (int r = 0; r < options.rounds(); r++) {
                Options o = r == 0 ? options : new Options(options.maxSegments(), 0, options.runs(), options.rounds(), options.settings());
                String round = options.rounds() == 1 ? "" : " (round " + (r + 1) + " of " + options.rounds() + ")";
                listener.progress("profiling whole model" + round, r * (segments + 1), steps);
                whole = Math.min(whole, time(wholeModel, inputs, o, null));
                Map<String, OnnxTensor> values = new HashMap<>(inputs);
                OrtSession.Result previous = null;
                try {
                    for (int i = 0; i < segments; i++) {
                        int start = positions[i];
                        int end = positions[i + 1];
                        listener.progress("profiling segment " + start + "-" + end + round, r * (segments + 1) + i + 1, steps);
                        if (r == 0) {
                            sessions.add(Ort.session(Extractor.extract(a, start, end).toByteArray(), options.settings(), "segment " + start + "-" + end));
                        }
                        OrtSession.Result[] last = new OrtSession.Result[1];
                        segmentMs[i] = Math.min(segmentMs[i], time(sessions.get(i), crossing(a, start, values), o, last));
                        Ort.close(previous);
                        previous = last[0];
                        values.clear();
                        for (Map.Entry<String, OnnxValue> e : previous) {
                            values.put(e.getKey(), (OnnxTensor) e.getValue());
                        }
                    }
                } finally {
                    Ort.close(previous);
                }
            }
            listener.progress("profiled", steps, steps);
            List<Long> bytes = Arrays.stream(positions).mapToObj(p -> a.cut(p).bytes()).toList();
            return new Profile(Profile.FORMAT, a.model().fileName(), a.model().sha256(), a.order().lowerName(), a.nodeCount(),
                    Profile.shapeLists(a.inputShapes()), device, options.settings().intraOpThreads(), Arrays.stream(positions).boxed().toList(), bytes,
                    Arrays.stream(segmentMs).boxed().toList(), whole, options.runs());
        } catch (OrtException e) {
            throw new SlicingException("profiling " + a.model().fileName() + " failed: " + e.getMessage(), e);
        } finally {
            sessions.forEach(Ort::close);
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Puts the model's inputs, random (seed 1) as ONNX tensors, into {@code into}; the caller closes them. */
    static void randomInputs(Analysis a, Map<String, OnnxTensor> into) {
        for (Tensor t : Inputs.random(a.inputs(), 1).values()) {
            into.put(t.name(), OrtTensors.toOnnx(t));
        }
    }

    /** Of {@code values}, the tensors crossing {@code position}: the feed of a slice or segment starting there. */
    static Map<String, OnnxTensor> crossing(Analysis a, int position, Map<String, OnnxTensor> values) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        for (String name : a.crossingNames(position)) {
            feed.put(name, values.get(name));
        }
        return feed;
    }

    /** Median of the timed runs in ms; the last result goes to {@code keep[0]} (if given) instead of being closed. */
    static double time(OrtSession s, Map<String, OnnxTensor> feed, Options o, OrtSession.Result[] keep) throws OrtException {
        double[] ms = new double[o.runs()];
        for (int r = 0; r < o.warmup() + o.runs(); r++) {
            long t0 = System.nanoTime();
            OrtSession.Result result = s.run(feed);
            long t1 = System.nanoTime();
            if (r >= o.warmup()) {
                ms[r - o.warmup()] = (t1 - t0) / 1e6;
            }
            if (keep != null && r == o.warmup() + o.runs() - 1) {
                keep[0] = result;
            } else {
                result.close();
            }
        }
        return median(ms);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * 0, the node count and up to {@code maxSegments - 1} interior positions. The model's FLOPs are
     * split into equal windows and each window contributes its usable position with the fewest bytes
     * crossing (the one nearest the window's centre on ties). FLOPs often pile up in a few nodes, so
     * positions left over are then spread the same way over node indices.
     */
    static int[] positions(Analysis a, int maxSegments) {
        int n = a.nodeCount();
        List<Cut> interior = a.candidates().stream().filter(c -> c.position() > 0 && c.position() < n).toList();
        TreeSet<Integer> chosen = new TreeSet<>(List.of(0, n));
        if (interior.size() < maxSegments) {
            interior.forEach(c -> chosen.add(c.position()));
            return chosen.stream().mapToInt(Integer::intValue).toArray();
        }
        spread(interior, chosen, maxSegments, maxSegments, Math.max(1, a.totalFlops()), Cut::flopsBefore);
        spread(interior, chosen, maxSegments, maxSegments + 1 - chosen.size(), n, c -> c.position());
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void spread(List<Cut> interior, TreeSet<Integer> chosen, int maxSegments, int windows, double total,
                               java.util.function.ToDoubleFunction<Cut> measure) {
        double width = total / windows;
        for (int w = 1; w < windows && chosen.size() <= maxSegments; w++) {
            double centre = w * width;
            Cut best = null;
            for (Cut c : interior) {
                double dist = Math.abs(measure.applyAsDouble(c) - centre);
                if (dist > width / 2 || chosen.contains(c.position())) {
                    continue;
                }
                if (best == null || c.bytes() < best.bytes() || c.bytes() == best.bytes() && dist < Math.abs(measure.applyAsDouble(best) - centre)) {
                    best = c;
                }
            }
            if (best != null) {
                chosen.add(best.position());
            }
        }
    }
}
