package io.edgeslice.slicer;

import java.util.Locale;

/**
 * How the slicer configures the ONNX Runtime sessions it creates.
 *
 * @param intraOpThreads threads per session for a single operator; 0 lets ONNX Runtime decide
 * @param optimization   graph optimisation level
 */
public record SessionSettings(int intraOpThreads, Optimization optimization) {
    /** ONNX Runtime's defaults: all optimisations. */
    public static final SessionSettings DEFAULT = new SessionSettings(0, Optimization.ALL);
    /**
     * For comparing slices with the whole model: everything but layout optimisations. ORT's NCHWc
     * layout transform changes float results by up to ~1e-4 relative even for the unsliced model,
     * and slicing moves where it converts layouts, so comparing at {@link Optimization#ALL} measures
     * optimiser noise rather than slicing errors.
     */
    public static final SessionSettings VERIFY = new SessionSettings(0, Optimization.EXTENDED);

    /** ONNX Runtime's graph optimisation levels. */
    public enum Optimization {
        NONE, BASIC, EXTENDED, ALL;

        public static Optimization parse(String s) {
            for (Optimization o : values()) {
                if (o.name().equalsIgnoreCase(s)) {
                    return o;
                }
            }
            throw new SlicingException("unknown optimisation level '" + s + "'; expected none, basic, extended or all");
        }

        public String lowerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SessionSettings {
        if (intraOpThreads < 0) {
            throw new SlicingException("intra-op thread count must be >= 0, got " + intraOpThreads);
        }
        if (optimization == null) {
            optimization = Optimization.ALL;
        }
    }

    /** The same settings with another thread count. */
    public SessionSettings withThreads(int threads) {
        return new SessionSettings(threads, optimization);
    }

    /** The same settings with another optimisation level. */
    public SessionSettings with(Optimization level) {
        return new SessionSettings(intraOpThreads, level);
    }
}
