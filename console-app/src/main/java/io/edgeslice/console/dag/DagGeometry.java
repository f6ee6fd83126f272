package io.edgeslice.console.dag;

import java.util.List;
import java.util.Map;

/**
 * Coordinates for a {@link SliceDag}, computed by ELK off the FX thread: a box per unit, boxes
 * around each slice's units (one per row the slice spans once the graph wraps), a polyline per
 * link, all in the DAG's own pixel space.
 */
public record DagGeometry(double width, double height, Map<String, Box> units, List<SliceBox> slices, List<Route> routes) {
    public DagGeometry {
        units = Map.copyOf(units);
        slices = List.copyOf(slices);
        routes = List.copyOf(routes);
    }

    /** A rectangle. */
    public record Box(double x, double y, double w, double h) {
        public boolean contains(double px, double py) {
            return px >= x && px <= x + w && py >= y && py <= y + h;
        }
    }

    /** Part of a slice's outline: the slice's units in one row of the wrapped graph. */
    public record SliceBox(int slice, boolean first, Box box) {
    }

    /** A link's path: x0, y0, x1, y1, … */
    public record Route(SliceDag.Link link, double[] points) {
        /** The middle of the path, where a label goes. */
        public double[] midpoint() {
            int segments = points.length / 2 - 1;
            int s = Math.max(0, segments / 2);
            return new double[] {(points[2 * s] + points[2 * s + 2]) / 2, (points[2 * s + 1] + points[2 * s + 3]) / 2};
        }
    }
}
