package io.edgeslice.console.dag;

import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.DragFormats;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.agents.AgentItem;
import io.edgeslice.console.agents.AgentStatus;
import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.models.ModelAnalysis;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelSlice;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.protocol.Message;
import io.edgeslice.slicer.Cut;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The selected model's graph as slices placed on agents. Layouts run on a background thread and
 * replace the scene when done; placements (which agent runs each slice, hence its colour) are
 * recomputed on every snapshot without a new layout. FX thread only.
 */
public final class DagViewModel {
    /**
     * Where a slice runs: on the agent of its stage when the model has a route (a pipeline), else
     * on the agents hosting the whole model (every slice of a wholly deployed model runs there).
     *
     * @param agents the agents running it, healthy ones first
     * @param color  the first agent's colour, or {@link AgentColors#UNPLACED}
     * @param lost   true when no agent running it is healthy
     * @param routed true when placed by the model's route
     */
    public record Placement(int slice, List<String> agents, String color, boolean lost, boolean routed) {
    }

    /**
     * A laid-out DAG: what to draw and where.
     *
     * @param routeEpoch the epoch of the route whose slices it shows, or -1 for the operator's cuts
     */
    public record Scene(String modelHash, SliceDag dag, DagGeometry geometry, List<Integer> cuts, long routeEpoch) {
    }

    private final ModelsViewModel models;
    private final AgentsViewModel agents;
    private final AgentColors colors;
    private final ConsoleSelection selection;
    private final UiDispatcher ui;
    private final Executor layoutThread;
    private final ReadOnlyObjectWrapper<Scene> scene = new ReadOnlyObjectWrapper<>(this, "scene");
    private final ReadOnlyObjectWrapper<List<Placement>> placements = new ReadOnlyObjectWrapper<>(this, "placements", List.of());
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "Select a model to see its graph.");
    private final ReadOnlyObjectWrapper<Integer> selectedSlice = new ReadOnlyObjectWrapper<>(this, "selectedSlice");
    private final Set<Integer> expanded = new HashSet<>();
    private final InvalidationListener relayout = o -> relayout();
    private final InvalidationListener routeChanged = o -> routeChanged();
    private List<Integer> layoutCuts = List.of();
    private ModelItem shown;
    private long generation;

    public DagViewModel(ModelsViewModel models, AgentsViewModel agents, AgentColors colors, UiDispatcher ui, Executor layoutThread) {
        this.models = models;
        this.agents = agents;
        this.colors = colors;
        this.selection = models.selection();
        this.ui = ui;
        this.layoutThread = layoutThread;
        models.selectedProperty().addListener((o, was, now) -> show(now));
    }

    private void show(ModelItem item) {
        if (shown != null) {
            shown.analysisProperty().removeListener(relayout);
            shown.cutsProperty().removeListener(relayout);
            shown.routeProperty().removeListener(routeChanged);
        }
        shown = item;
        expanded.clear();
        if (item != null) {
            item.analysisProperty().addListener(relayout);
            item.cutsProperty().addListener(relayout);
            item.routeProperty().addListener(routeChanged);
        }
        relayout();
    }

    /** A route's slices replace the operator's cuts; a new epoch on the same cuts only moves colours. */
    private void routeChanged() {
        if (shown != null && !effectiveCuts(shown).equals(layoutCuts)) {
            relayout();
        } else {
            refreshPlacements();
        }
    }

    private static List<Integer> effectiveCuts(ModelItem item) {
        List<Integer> routed = item.routeCuts();
        return routed != null ? routed : item.cuts();
    }

    private void relayout() {
        long gen = ++generation;
        selectedSlice.set(null);
        ModelItem item = shown;
        ModelAnalysis a = item == null ? null : item.analysis();
        if (a == null) {
            scene.set(null);
            status.set(item == null ? "Select a model to see its graph."
                    : item.status() == ModelItem.Status.FAILED ? item.fileName() + ": " + item.messageProperty().get()
                    : "Analysing " + item.fileName() + "…");
            refreshPlacements();
            return;
        }
        List<Integer> cuts = effectiveCuts(item);
        long epoch = item.routeCuts() != null ? item.route().epoch() : -1;
        layoutCuts = cuts;
        List<Integer> candidates = a.candidates().stream().map(Cut::position).toList();
        Set<Integer> open = Set.copyOf(expanded);
        status.set("Laying out " + item.fileName() + "…");
        layoutThread.execute(() -> {
            SliceDag dag = SliceDag.build(a.graph(), cuts, candidates, open);
            DagGeometry g = DagLayout.layout(dag);
            ui.submit(() -> {
                if (gen == generation) {
                    scene.set(new Scene(item.hash(), dag, g, cuts, epoch));
                    status.set(item.fileName() + ": " + a.nodeCount() + " nodes in " + dag.slices().size()
                            + (dag.slices().size() == 1 ? " slice" : " slices") + (epoch >= 0 ? " of its route (epoch " + epoch + ")" : "")
                            + "; double-click a block to expand it");
                    refreshPlacements();
                }
            });
        });
    }

    /** Expands a collapsed block into its nodes, or collapses the block a node belongs to. */
    public void toggle(String unitId) {
        Scene s = scene.get();
        SliceDag.Unit u = s == null ? null : s.dag().unit(unitId);
        if (u == null || u.kind() == SliceDag.Kind.INPUT || u.kind() == SliceDag.Kind.OUTPUT) {
            return;
        }
        if (u.kind() == SliceDag.Kind.BLOCK) {
            expanded.add(u.start());
        } else {
            // a node of an expanded block: collapse that block again
            expanded.removeIf(start -> start <= u.start() && SliceDag.runs(s.dag().slices().get(u.slice()), candidates()).stream()
                    .anyMatch(r -> r[0] == start && u.start() < r[1]));
        }
        relayout();
    }

    private List<Integer> candidates() {
        return shown == null || shown.analysis() == null ? List.of() : shown.analysis().candidates().stream().map(Cut::position).toList();
    }

    /** Selects a slice and its agent, so the agent's row and charts are highlighted. */
    public void selectSlice(int slice) {
        selectedSlice.set(slice);
        List<Placement> p = placements.get();
        if (slice >= 0 && slice < p.size() && !p.get(slice).agents().isEmpty()) {
            selection.agentProperty().set(p.get(slice).agents().get(0));
        }
    }

    /**
     * Starts dragging a slice: its dragboard id, or null (and the reason in the status line) if the
     * slices of the model shown cannot be dragged.
     */
    public String startDrag(int slice) {
        String why = dragRefusal();
        if (why != null) {
            status.set("Cannot drag a slice: " + why);
            return null;
        }
        return dragId(slice);
    }

    /** The dragboard id of a slice of the scene shown, or null if there is no such slice. */
    public String dragId(int slice) {
        Scene s = scene.get();
        if (s == null || slice < 0 || slice >= s.dag().slices().size()) {
            return null;
        }
        SliceDag.Slice sl = s.dag().slices().get(slice);
        return DragFormats.SLICE_PREFIX + s.modelHash() + ":" + sl.start() + "-" + sl.end();
    }

    /**
     * The slice a dragboard id ({@link #dragId}) names, as something to deploy: null unless it is a
     * slice of the scene shown now (a drag started before a relayout no longer applies). A slice of
     * a routed model carries its stage; one of a model without a route carries the cuts to deploy.
     */
    public ModelSlice slice(String dragId) {
        Scene s = scene.get();
        ModelItem item = shown;
        if (s == null || item == null || item.analysis() == null || !dragId.startsWith(DragFormats.SLICE_PREFIX)) {
            return null;
        }
        String[] parts = dragId.substring(DragFormats.SLICE_PREFIX.length()).split("[:-]");
        if (parts.length != 3 || !parts[0].equals(s.modelHash()) || !s.modelHash().equals(item.hash())) {
            return null;
        }
        int start;
        int end;
        try {
            start = Integer.parseInt(parts[1]);
            end = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            return null;
        }
        for (SliceDag.Slice sl : s.dag().slices()) {
            if (sl.start() == start && sl.end() == end) {
                Message.Route route = item.route();
                boolean routed = routed(s);
                Message.Stage stage = routed ? route.stages().get(sl.index()) : null;
                long size = routed ? stage.sliceSize() : ModelSlice.estimateSize(item.analysis().analysis(), item.sizeBytes(), start, end);
                return new ModelSlice(item.hash(), item.fileName(), sl.index(), start, end, size, s.cuts(), stage, item.analysis().analysis());
            }
        }
        return null;
    }

    /**
     * Why the slices of the model shown cannot be dragged, or null if they can: its route was cut
     * for other input shapes than the analysis shown, so dropping a slice would neither move one of
     * the route's slices nor be safe to replace the route with.
     */
    public String dragRefusal() {
        Scene s = scene.get();
        if (s == null || shown == null) {
            return "no model is laid out";
        }
        if (shown.route() != null && !shown.route().ortTarget().isEmpty()) {
            return "the route of " + shown.fileName() + " was cut from the graph ONNX Runtime optimised for its agents' CPUs, not from the "
                    + "graph shown here; deploy it with --graph portable to move its slices by hand";
        }
        if (shown.route() != null && shown.routeCuts() == null) {
            return "the route of " + shown.fileName() + " was cut for other input shapes than this analysis; analyse it with the "
                    + "route's shapes to move its slices";
        }
        if (shown.route() != null && !routed(s)) {
            return "the DAG is being laid out for the route of " + shown.fileName() + "; try again in a moment";
        }
        return null;
    }

    /** Recomputes where each slice runs from the agents' hosted models; cheap, called on every snapshot. */
    public void refreshPlacements() {
        Scene s = scene.get();
        if (s == null || shown == null) {
            placements.set(List.of());
            return;
        }
        List<Placement> next = new ArrayList<>();
        Message.Route route = shown.route();
        if (routed(s)) {
            for (SliceDag.Slice slice : s.dag().slices()) {
                String agent = route.stages().get(slice.index()).agent();
                boolean placed = agent != null && !agent.isEmpty();
                next.add(new Placement(slice.index(), placed ? List.of(agent) : List.of(),
                        placed ? colors.of(agent) : AgentColors.UNPLACED, placed && !healthy(agent), true));
            }
        } else {
            List<String> hosts = new ArrayList<>(shown.hostedOn());
            hosts.sort((x, y) -> Boolean.compare(!healthy(x), !healthy(y)));
            boolean lost = !hosts.isEmpty() && hosts.stream().noneMatch(this::healthy);
            String color = hosts.isEmpty() ? AgentColors.UNPLACED : colors.of(hosts.get(0));
            for (SliceDag.Slice slice : s.dag().slices()) {
                next.add(new Placement(slice.index(), List.copyOf(hosts), color, lost, false));
            }
        }
        if (!next.equals(placements.get())) {
            placements.set(List.copyOf(next));
        }
    }

    /** Whether the scene shows the slices of the model's route (its cuts are the route's). */
    private boolean routed(Scene s) {
        return shown != null && shown.route() != null && s.cuts().equals(shown.routeCuts());
    }

    private boolean healthy(String agent) {
        AgentItem a = agents.find(agent);
        return a != null && a.status() == AgentStatus.HEALTHY;
    }

    /** The laid-out graph of the selected model, or null. */
    public ReadOnlyObjectProperty<Scene> sceneProperty() {
        return scene.getReadOnlyProperty();
    }

    /** Per slice of the scene, where it runs. */
    public ReadOnlyObjectProperty<List<Placement>> placementsProperty() {
        return placements.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Integer> selectedSliceProperty() {
        return selectedSlice.getReadOnlyProperty();
    }

    public ModelsViewModel models() {
        return models;
    }
}
