package io.edgeslice.slicer;

import java.util.Locale;

/** What the planner minimises. */
public enum Objective {
    /** End-to-end time of one inference: input transfer, every stage's compute, every hop, result transfer. */
    LATENCY,
    /**
     * Time per inference of a full pipeline: the slowest of its stages, where each stage's compute and
     * each transfer (input, every hop, result) count as separate stages, since a device can compute one
     * request while its link carries another. Ties are broken by latency.
     */
    THROUGHPUT;

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Objective parse(String s) {
        for (Objective o : values()) {
            if (o.name().equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw new SlicingException("unknown objective '" + s + "'; expected latency or throughput");
    }
}
