package io.edgeslice.slicer;

import java.util.List;

/**
 * A placement of consecutive stages on devices, in the DP's index terms, with its predicted times.
 *
 * @param stages     in chain order; stage i covers segments [from, to)
 * @param latencyMs  end-to-end time of one inference
 * @param periodMs   slowest compute or transfer step
 */
record Placement(List<Stage> stages, double latencyMs, double periodMs) {
    record Stage(int device, int from, int to) {
    }

    double value(Objective o) {
        return o == Objective.LATENCY ? latencyMs : periodMs;
    }

    /** Predicts latency and period; also the single source of truth the brute-force tests use. */
    static Placement evaluate(CostModel c, List<Stage> stages) {
        double latency = 0;
        double period = 0;
        int at = c.source;
        for (Stage s : stages) {
            double hop = c.transfer(at, s.device(), s.from());
            double work = c.compute(s.device(), s.from(), s.to());
            latency += hop + work;
            period = Math.max(period, Math.max(hop, work));
            at = s.device();
        }
        double result = c.transfer(at, c.sink, c.segments);
        return new Placement(List.copyOf(stages), latency + result, Math.max(period, result));
    }
}
