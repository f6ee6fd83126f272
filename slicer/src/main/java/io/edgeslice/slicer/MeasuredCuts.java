package io.edgeslice.slicer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a profile's balanced cuts against their real slices. A profile times segments between its
 * own positions, and a stage's estimate is the sum of its segments; but ONNX Runtime converts layouts
 * at a slice's edges and fuses across the boundaries inside it, so the sums can rank cuts wrongly
 * (M-LSD large's optimised graph: the profile chose 63 and 69 in one run and 63 and 68 in the next,
 * whose real slices take [40, 82, 26] and [40, 57, 49] ms). This times the slices of the cuts and of
 * each set with one cut moved to a neighbouring profile position, and picks the set whose slowest
 * pipeline step, its slowest slice, is shortest; among sets within {@link #TIE} of it, the one with
 * the least compute in all.
 *
 * <p>The cores do not enter the choice. Three stages on a 2-core machine cannot go faster than their
 * sum over 2, whatever the cuts, and in bench runs here the most balanced cuts (63 and 68) gave 1.8-2.0
 * requests per whole-model time, against 1.4-1.7 for cuts leaving one slice at more than half the sum,
 * which the other core cannot help with: rating those by the sum over the cores made them tie.
 */
public final class MeasuredCuts implements AutoCloseable {
    /** A cut set and the time of each of its slices here (the median of its fastest round). */
    public record Timed(List<Integer> cuts, List<Double> stageMs) {
        public Timed {
            cuts = List.copyOf(cuts);
            stageMs = List.copyOf(stageMs);
        }

        /** The pipeline's slowest step in ms: its slowest slice. */
        public double stepMs() {
            return stageMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }

        /** One request's compute through all stages. */
        public double totalMs() {
            return stageMs.stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /** Steps within this fraction of the best count as equal (timing noise); the lower total compute wins among them. */
    static final double TIE = 0.02;

    private final Analysis analysis;
    private final Profiler.Options options;
    private final Map<Integer, Map<String, OnnxTensor>> valuesAt = new HashMap<>();
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Times slices of {@code analysis} with the profiler's settings, warm-up, runs and rounds. */
    public MeasuredCuts(Analysis analysis, Profiler.Options options) {
        this.analysis = analysis;
        this.options = options;
    }

    /** {@code cuts} first, then each set with one cut moved to the previous or next position of the profile. */
    public static List<int[]> neighbourhood(Profile profile, int[] cuts) {
        List<Integer> pos = profile.positions();
        Set<List<Integer>> sets = new LinkedHashSet<>();
        sets.add(Arrays.stream(cuts).boxed().toList());
        int last = pos.get(pos.size() - 1);
        for (int k = 0; k < cuts.length; k++) {
            int i = pos.indexOf(cuts[k]);
            if (i < 0) {
                throw new SlicingException("cut " + cuts[k] + " is not a position of the profile " + pos);
            }
            int lo = k == 0 ? 0 : cuts[k - 1];
            int hi = k == cuts.length - 1 ? last : cuts[k + 1];
            for (int j : new int[] {i - 1, i + 1}) {
                if (j > 0 && j < pos.size() - 1 && pos.get(j) > lo && pos.get(j) < hi) {
                    int[] moved = cuts.clone();
                    moved[k] = pos.get(j);
                    sets.add(Arrays.stream(moved).boxed().toList());
                }
            }
        }
        return sets.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /**
     * The time of each slice of each set. Every distinct slice is timed in the options' rounds,
     * each slice in turn per round ({@code runs} timed runs after the warm-up, the median kept), and
     * keeps its fastest round: a stretch of interference (another process starting, the VM slowing)
     * then costs one round of every slice alike rather than all the runs of the slices timed during it.
     */
    public List<Timed> time(List<int[]> sets) {
        Map<List<Integer>, double[]> rounds = new LinkedHashMap<>();
        for (int[] cuts : sets) {
            int[] bounds = bounds(cuts);
            for (int i = 0; i + 1 < bounds.length; i++) {
                rounds.putIfAbsent(List.of(bounds[i], bounds[i + 1]), new double[options.rounds()]);
            }
        }
        Map<List<Integer>, OrtSession> sessions = new LinkedHashMap<>();
        try {
            for (List<Integer> slice : rounds.keySet()) {
                sessions.put(slice, Ort.session(Extractor.extract(analysis, slice.get(0), slice.get(1)).toByteArray(), options.settings(),
                        "slice " + slice.get(0) + "-" + slice.get(1)));
            }
            Profiler.Options warmOnly = new Profiler.Options(options.maxSegments(), 0, Math.max(1, options.warmup()), 1, options.settings());
            Profiler.Options timedOnly = new Profiler.Options(options.maxSegments(), 0, options.runs(), 1, options.settings());
            for (int r = -1; r < options.rounds(); r++) {
                for (Map.Entry<List<Integer>, OrtSession> e : sessions.entrySet()) {
                    int start = e.getKey().get(0);
                    double ms = Profiler.time(e.getValue(), Profiler.crossing(analysis, start, values(start)), r < 0 ? warmOnly : timedOnly, null);
                    if (r >= 0) {
                        rounds.get(e.getKey())[r] = ms;
                    }
                }
            }
        } catch (OrtException e) {
            throw new SlicingException("timing slices failed: " + e.getMessage(), e);
        } finally {
            sessions.values().forEach(Ort::close);
        }
        List<Timed> out = new ArrayList<>();
        for (int[] cuts : sets) {
            int[] bounds = bounds(cuts);
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i + 1 < bounds.length; i++) {
                ms.add(Arrays.stream(rounds.get(List.of(bounds[i], bounds[i + 1]))).min().orElseThrow());
            }
            out.add(new Timed(Arrays.stream(cuts).boxed().toList(), ms));
        }
        return out;
    }

    private int[] bounds(int[] cuts) {
        int[] bounds = new int[cuts.length + 2];
        bounds[bounds.length - 1] = analysis.nodeCount();
        System.arraycopy(cuts, 0, bounds, 1, cuts.length);
        return bounds;
    }

    /** The timed set with the shortest step; among those within {@link #TIE} of it, the least total compute. */
    public static Timed best(List<Timed> timed) {
        double step = timed.stream().mapToDouble(Timed::stepMs).min()
                .orElseThrow(() -> new IllegalArgumentException("no cut sets to choose from"));
        return timed.stream().filter(t -> t.stepMs() <= step * (1 + TIE))
                .min(Comparator.comparingDouble(Timed::totalMs)).orElseThrow();
    }

    @Override
    public void close() {
        owned.forEach(Ort::close);
        owned.clear();
        valuesAt.clear();
    }

    /** The tensors crossing {@code position} for the profiler's random input: the model's inputs, or the outputs of the slice before. */
    private Map<String, OnnxTensor> values(int position) {
        Map<String, OnnxTensor> known = valuesAt.get(position);
        if (known != null) {
            return known;
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        if (position == 0) {
            Profiler.randomInputs(analysis, inputs);
            owned.addAll(inputs.values());
        } else {
            Map<String, OnnxTensor> first = values(0);
            try (OrtSession s = Ort.session(Extractor.extract(analysis, 0, position).toByteArray(), options.settings(), "slice 0-" + position)) {
                OrtSession.Result r = s.run(first);
                owned.add(r);
                for (Map.Entry<String, OnnxValue> e : r) {
                    inputs.put(e.getKey(), (OnnxTensor) e.getValue());
                }
            } catch (OrtException e) {
                throw new SlicingException("running slice 0-" + position + " failed: " + e.getMessage(), e);
            }
        }
        valuesAt.put(position, inputs);
        return inputs;
    }
}
