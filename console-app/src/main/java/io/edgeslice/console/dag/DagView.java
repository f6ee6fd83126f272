package io.edgeslice.console.dag;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.DragFormats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.Polyline;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

/**
 * The slice DAG drawn with plain shapes from ELK's coordinates: slices as boxes, units filled with
 * the colour of the agent their slice runs on, crossing edges labelled with bytes. Click selects a
 * slice (and its agent); double-click expands a block or collapses it again; a slice dragged onto an
 * agent's row is placed there.
 */
public final class DagView extends BorderPane {
    private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
    private static final PseudoClass LOST = PseudoClass.getPseudoClass("lost");

    private final DagViewModel vm;
    private final Pane canvas = new Pane();
    private final Group zoomed = new Group(canvas);
    private final Label status = new Label();
    private final Label placement = new Label();
    private final Slider zoom = new Slider(0.25, 1.5, 1);
    private final ScrollPane scroll = new ScrollPane(new Group(zoomed));
    private String fittedModel;
    private final Map<Integer, List<Rectangle>> unitsBySlice = new HashMap<>();
    private final Map<Integer, List<Rectangle>> sliceBoxes = new HashMap<>();

    public DagView(DagViewModel vm) {
        this.vm = vm;
        getStyleClass().add("dag-view");
        getStylesheets().add(Objects.requireNonNull(DagView.class.getResource("dag.css")).toExternalForm());
        Label title = new Label("Slice DAG");
        title.getStyleClass().add("view-title");
        title.setMinWidth(Region.USE_PREF_SIZE);
        status.textProperty().bind(vm.statusProperty());
        status.setId("dag-status");
        placement.setId("dag-placement");
        zoom.setPrefWidth(110);
        zoomed.scaleXProperty().bind(zoom.valueProperty());
        zoomed.scaleYProperty().bind(zoom.valueProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, title, placement, spacer, new Label("Zoom"), zoom);
        bar.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(2, bar, status);
        top.setPadding(new Insets(6, 8, 4, 8));
        setTop(top);
        canvas.setId("dag-canvas");
        scroll.setPannable(true);
        setCenter(scroll);
        vm.sceneProperty().addListener((o, was, now) -> draw(now));
        vm.placementsProperty().addListener((o, was, now) -> recolour(now));
        vm.selectedSliceProperty().addListener((o, was, now) -> highlight(now));
        draw(vm.sceneProperty().get());
    }

    private void draw(DagViewModel.Scene scene) {
        canvas.getChildren().clear();
        unitsBySlice.clear();
        sliceBoxes.clear();
        if (scene == null) {
            recolour(List.of());
            return;
        }
        DagGeometry g = scene.geometry();
        canvas.setPrefSize(g.width(), g.height());
        if (!scene.modelHash().equals(fittedModel)) {
            // a new model starts fitted to the width (within reason); expanding keeps the operator's zoom
            fittedModel = scene.modelHash();
            double vw = scroll.getViewportBounds().getWidth();
            double vh = scroll.getViewportBounds().getHeight();
            zoom.setValue(vw <= 0 || vh <= 0 ? 1 : Math.max(0.35, Math.min(1, Math.min((vw - 8) / g.width(), (vh - 8) / g.height()))));
        }
        List<Node> shapes = new ArrayList<>();
        for (DagGeometry.SliceBox sb : g.slices()) {
            DagGeometry.Box b = sb.box();
            SliceDag.Slice s = scene.dag().slices().get(sb.slice());
            Rectangle r = new Rectangle(b.x(), b.y(), b.w(), b.h());
            r.getStyleClass().add("dag-slice");
            r.setArcWidth(10);
            r.setArcHeight(10);
            r.setOnMouseClicked(e -> vm.selectSlice(s.index()));
            dragSource(r, s.index());
            sliceBoxes.computeIfAbsent(s.index(), k -> new ArrayList<>()).add(r);
            Text t = new Text(b.x() + 8, b.y() + 14, "slice " + (s.index() + 1) + (sb.first() ? " · nodes " + s.start() + "–" + (s.end() - 1)
                    : " (continued)"));
            t.getStyleClass().add("dag-slice-title");
            t.setMouseTransparent(true);
            shapes.add(r);
            shapes.add(t);
        }
        for (DagGeometry.Route route : g.routes()) {
            Polyline line = new Polyline(route.points());
            line.getStyleClass().addAll("dag-link", route.link().crossing() ? "crossing" : "inner");
            shapes.add(line);
            shapes.add(arrow(route.points()));
        }
        for (SliceDag.Unit u : scene.dag().units()) {
            DagGeometry.Box b = g.units().get(u.id());
            Rectangle r = new Rectangle(b.x(), b.y(), b.w(), b.h());
            r.getStyleClass().addAll("dag-unit", u.kind().name().toLowerCase(java.util.Locale.ROOT));
            r.setArcWidth(u.kind() == SliceDag.Kind.BLOCK ? 8 : 14);
            r.setArcHeight(u.kind() == SliceDag.Kind.BLOCK ? 8 : 14);
            r.setUserData(u.id());
            r.setFill(Color.web(AgentColors.UNPLACED));
            Tooltip.install(r, new Tooltip(u.detail() + (u.kind() == SliceDag.Kind.BLOCK ? "\nDouble-click to expand" : "")
                    + (u.slice() >= 0 ? "\nDrag onto an agent to run slice " + (u.slice() + 1) + " there" : "")));
            r.setOnMouseClicked(e -> {
                if (e.getClickCount() >= 2) {
                    vm.toggle(u.id());
                } else if (u.slice() >= 0) {
                    vm.selectSlice(u.slice());
                }
            });
            if (u.slice() >= 0) {
                dragSource(r, u.slice());
                unitsBySlice.computeIfAbsent(u.slice(), k -> new ArrayList<>()).add(r);
            }
            shapes.add(r);
            shapes.add(label(u, b));
        }
        for (DagGeometry.Route route : g.routes()) {
            if (route.link().crossing()) {
                double[] mid = route.midpoint();
                Label bytes = new Label(SliceDag.bytesLabel(route.link()));
                bytes.getStyleClass().add("dag-bytes");
                bytes.setTooltip(new Tooltip(String.join("\n", route.link().tensors())));
                bytes.relocate(mid[0] + 3, mid[1] - 18);
                shapes.add(bytes);
            }
        }
        canvas.getChildren().setAll(shapes);
        recolour(vm.placementsProperty().get());
        highlight(vm.selectedSliceProperty().get());
    }

    /** Dragging a slice (its box or any unit in it) onto an agent's row places that slice there. */
    private void dragSource(Node n, int slice) {
        n.setOnDragDetected(e -> {
            String id = vm.startDrag(slice);
            if (id == null) {
                return;
            }
            vm.selectSlice(slice);
            Dragboard db = n.startDragAndDrop(TransferMode.COPY);
            ClipboardContent content = new ClipboardContent();
            content.put(DragFormats.DEPLOYABLE, id);
            db.setContent(content);
            e.consume();
        });
    }

    private static Text label(SliceDag.Unit u, DagGeometry.Box b) {
        String text = u.kind() == SliceDag.Kind.BLOCK ? u.label() + "\n" + u.detail()
                : u.label().length() > 18 ? u.label().substring(0, 17) + "…" : u.label();
        Text t = new Text(text);
        t.getStyleClass().addAll("dag-unit-label", u.kind().name().toLowerCase(java.util.Locale.ROOT));
        t.setTextAlignment(TextAlignment.CENTER);
        t.setTextOrigin(VPos.CENTER);
        t.setWrappingWidth(b.w());
        t.setX(b.x());
        t.setY(b.y() + b.h() / 2 - (u.kind() == SliceDag.Kind.BLOCK ? 7 : 0));
        t.setMouseTransparent(true);
        return t;
    }

    private static Polygon arrow(double[] p) {
        int n = p.length;
        double x = p[n - 2];
        double y = p[n - 1];
        double dx = x - p[n - 4];
        double dy = y - p[n - 3];
        double len = Math.max(1e-6, Math.hypot(dx, dy));
        double ux = dx / len;
        double uy = dy / len;
        Polygon head = new Polygon(x, y, x - 7 * ux + 3.5 * uy, y - 7 * uy - 3.5 * ux, x - 7 * ux - 3.5 * uy, y - 7 * uy + 3.5 * ux);
        head.getStyleClass().add("dag-arrow");
        return head;
    }

    private void recolour(List<DagViewModel.Placement> placements) {
        for (DagViewModel.Placement p : placements) {
            Color c = Color.web(p.color());
            for (Rectangle r : unitsBySlice.getOrDefault(p.slice(), List.of())) {
                r.setFill(c);
                r.pseudoClassStateChanged(LOST, p.lost());
            }
            for (Rectangle box : sliceBoxes.getOrDefault(p.slice(), List.of())) {
                box.setStroke(c);
                box.setFill(c.deriveColor(0, 1, 1, 0.10));
                box.pseudoClassStateChanged(LOST, p.lost());
            }
        }
        placement.setText(placementText(placements));
    }

    private static String placementText(List<DagViewModel.Placement> placements) {
        if (placements.isEmpty()) {
            return "";
        }
        if (placements.get(0).routed()) {
            return "route: " + placements.stream().map(p -> "slice " + (p.slice() + 1) + " on "
                    + (p.agents().isEmpty() ? "(unplaced)" : p.agents().get(0)) + (p.lost() ? " (lost)" : ""))
                    .collect(java.util.stream.Collectors.joining(", "));
        }
        List<String> agents = placements.get(0).agents();
        if (agents.isEmpty()) {
            return "not deployed: drag the model onto an agent";
        }
        return (placements.get(0).lost() ? "on lost agent " : "whole model on ") + String.join(", ", agents);
    }

    private void highlight(Integer slice) {
        sliceBoxes.forEach((index, boxes) -> boxes.forEach(b -> b.pseudoClassStateChanged(SELECTED, slice != null && slice.equals(index))));
    }

    /** The drawn units (boxes), for tests and screenshots. */
    public List<Rectangle> unitShapes() {
        List<Rectangle> out = new ArrayList<>();
        unitsBySlice.values().forEach(out::addAll);
        return out;
    }
}
