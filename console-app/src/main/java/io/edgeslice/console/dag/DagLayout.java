package io.edgeslice.console.dag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.WrappingStrategy;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * Lays a {@link SliceDag} out left to right with ELK's layered (Sugiyama) algorithm, wrapping the
 * long chains of a deep network into rows so the graph keeps a screen-like shape. Slices are
 * outlined around their units afterwards (a slice that wraps gets one outline per row). Pure
 * computation: call it off the FX thread.
 */
public final class DagLayout {
    /** Room above a slice's units for its title. */
    public static final double SLICE_TITLE = 18;
    static final double SLICE_PAD = 8;
    static final double CHAR_WIDTH = 7.2;
    /** Width over height the wrapped graph aims at: the DAG pane's shape. */
    static final double ASPECT_RATIO = 3.0;

    private DagLayout() {
    }

    public static DagGeometry layout(SliceDag dag) {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
        root.setProperty(CoreOptions.PADDING, new ElkPadding(SLICE_TITLE + SLICE_PAD + 6, 16, 16, 16));
        root.setProperty(CoreOptions.ASPECT_RATIO, ASPECT_RATIO);
        root.setProperty(LayeredOptions.WRAPPING_STRATEGY, WrappingStrategy.MULTI_EDGE);
        root.setProperty(LayeredOptions.WRAPPING_ADDITIONAL_EDGE_SPACING, SLICE_TITLE + 2 * SLICE_PAD);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 2 * SLICE_PAD + 14);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE, SLICE_TITLE + 2 * SLICE_PAD);
        root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 10.0);

        Map<String, ElkNode> nodes = new HashMap<>();
        for (SliceDag.Unit u : dag.units()) {
            ElkNode n = ElkGraphUtil.createNode(root);
            double[] size = size(u);
            n.setDimensions(size[0], size[1]);
            nodes.put(u.id(), n);
        }
        Map<ElkEdge, SliceDag.Link> edges = new HashMap<>();
        for (SliceDag.Link l : dag.links()) {
            edges.put(ElkGraphUtil.createSimpleEdge(nodes.get(l.from()), nodes.get(l.to())), l);
        }

        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

        Map<String, DagGeometry.Box> boxes = new HashMap<>();
        nodes.forEach((id, n) -> boxes.put(id, new DagGeometry.Box(n.getX(), n.getY(), n.getWidth(), n.getHeight())));
        List<DagGeometry.Route> routes = new ArrayList<>();
        edges.forEach((e, l) -> {
            if (!e.getSections().isEmpty()) {
                routes.add(new DagGeometry.Route(l, points(e.getSections().get(0))));
            }
        });
        return new DagGeometry(root.getWidth(), root.getHeight(), boxes, outlines(dag, boxes), routes);
    }

    /** Width and height of a unit's box, from its label's length. */
    static double[] size(SliceDag.Unit u) {
        return switch (u.kind()) {
            case NODE -> new double[] {Math.max(56, CHAR_WIDTH * u.label().length() + 18), 28};
            case BLOCK -> new double[] {Math.max(118, CHAR_WIDTH * 0.9 * u.detail().length() + 20), 48};
            case INPUT, OUTPUT -> new double[] {Math.max(60, CHAR_WIDTH * Math.min(18, u.label().length()) + 18), 26};
        };
    }

    /**
     * Outlines per slice: its units grouped by row (units whose vertical extents overlap, directly or
     * through others, are in one row), one padded box per group.
     */
    static List<DagGeometry.SliceBox> outlines(SliceDag dag, Map<String, DagGeometry.Box> boxes) {
        List<DagGeometry.SliceBox> out = new ArrayList<>();
        for (SliceDag.Slice s : dag.slices()) {
            List<DagGeometry.Box> members = dag.units().stream().filter(u -> u.slice() == s.index()).map(u -> boxes.get(u.id()))
                    .sorted(Comparator.comparingDouble(DagGeometry.Box::y)).toList();
            List<double[]> rows = new ArrayList<>(); // minX, minY, maxX, maxY
            for (DagGeometry.Box b : members) {
                double[] last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
                if (last != null && b.y() <= last[3] + 2 * SLICE_PAD) {
                    last[0] = Math.min(last[0], b.x());
                    last[2] = Math.max(last[2], b.x() + b.w());
                    last[3] = Math.max(last[3], b.y() + b.h());
                } else {
                    rows.add(new double[] {b.x(), b.y(), b.x() + b.w(), b.y() + b.h()});
                }
            }
            for (int i = 0; i < rows.size(); i++) {
                double[] r = rows.get(i);
                out.add(new DagGeometry.SliceBox(s.index(), i == 0, new DagGeometry.Box(r[0] - SLICE_PAD, r[1] - SLICE_PAD - SLICE_TITLE,
                        r[2] - r[0] + 2 * SLICE_PAD, r[3] - r[1] + 2 * SLICE_PAD + SLICE_TITLE)));
            }
        }
        return out;
    }

    private static double[] points(ElkEdgeSection s) {
        List<Double> xy = new ArrayList<>();
        xy.add(s.getStartX());
        xy.add(s.getStartY());
        s.getBendPoints().forEach(b -> {
            xy.add(b.getX());
            xy.add(b.getY());
        });
        xy.add(s.getEndX());
        xy.add(s.getEndY());
        return xy.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
