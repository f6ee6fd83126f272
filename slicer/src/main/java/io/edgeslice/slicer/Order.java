package io.edgeslice.slicer;

import java.util.Locale;

/**
 * Topological orders the slicer can number a model's nodes in. A cut position is an index into
 * the chosen order, so the order is recorded with every manifest and profile.
 */
public enum Order {
    /** The order of the nodes in the file. */
    FILE,
    /** Depth-first from the inputs: each branch runs to completion before the next starts. */
    FORWARD,
    /** Post-order depth-first from the outputs: each node comes right after what it needs. */
    BACKWARD;

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a lower- or upper-case name. */
    public static Order parse(String s) {
        for (Order o : values()) {
            if (o.name().equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw new SlicingException("unknown node order '" + s + "'; expected file, forward or backward");
    }
}
