package io.edgeslice.console.models;

import io.edgeslice.protocol.Message;
import io.edgeslice.slicer.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** A model the operator added, imported into the broker's store. FX thread only. */
public final class ModelItem {
    /** Where its analysis stands. */
    public enum Status { ANALYSING, READY, FAILED }

    private final OnnxModel model;
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>(this, "status", Status.ANALYSING);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "analysing…");
    private final StringProperty shapes = new SimpleStringProperty(this, "shapes", "");
    private final ReadOnlyObjectWrapper<ModelAnalysis> analysis = new ReadOnlyObjectWrapper<>(this, "analysis");
    private final ReadOnlyObjectWrapper<List<Integer>> cuts = new ReadOnlyObjectWrapper<>(this, "cuts", List.of());
    private final ReadOnlyObjectWrapper<List<String>> hostedOn = new ReadOnlyObjectWrapper<>(this, "hostedOn", List.of());
    private final ReadOnlyObjectWrapper<Message.Route> route = new ReadOnlyObjectWrapper<>(this, "route");
    private final ReadOnlyIntegerWrapper replicas = new ReadOnlyIntegerWrapper(this, "replicas");

    ModelItem(OnnxModel model, String shapes) {
        this.model = model;
        this.shapes.set(shapes);
    }

    OnnxModel model() {
        return model;
    }

    void analysing() {
        status.set(Status.ANALYSING);
        message.set("analysing…");
    }

    void analysed(ModelAnalysis a) {
        cuts.set(List.of());
        analysis.set(a);
        message.set(a.nodeCount() + " nodes, " + (a.candidates().size() - 2) + " interior cut positions");
        status.set(Status.READY);
    }

    void failed(String why) {
        analysis.set(null);
        cuts.set(List.of());
        message.set(why);
        status.set(Status.FAILED);
    }

    void setCuts(List<Integer> positions) {
        cuts.set(List.copyOf(positions));
    }

    void setHostedOn(List<String> agents) {
        if (!agents.equals(hostedOn.get())) {
            hostedOn.set(List.copyOf(agents));
        }
    }

    void setRoutes(List<Message.Route> replicas) {
        Message.Route r = replicas.isEmpty() ? null : replicas.get(0);
        if (!java.util.Objects.equals(r, route.get())) {
            route.set(r);
        }
        this.replicas.set(replicas.size());
    }

    /** How many routes (replicas) of the model are deployed; the console shows and edits the first. */
    public ReadOnlyIntegerProperty replicasProperty() {
        return replicas.getReadOnlyProperty();
    }

    public int replicas() {
        return replicas.get();
    }

    /** The model's first route (its slices placed on agents) if one is deployed, else null. */
    public ReadOnlyObjectProperty<Message.Route> routeProperty() {
        return route.getReadOnlyProperty();
    }

    public Message.Route route() {
        return route.get();
    }

    /**
     * The interior cuts of the deployed route if it matches this analysis (stages contiguous from 0
     * to the node count), else null: the route's positions count nodes in the slicer's order, which
     * differs if the route was cut for other input shapes, and a route of ONNX Runtime's optimised
     * graph counts the nodes of that graph.
     */
    public List<Integer> routeCuts() {
        Message.Route r = route.get();
        ModelAnalysis a = analysis.get();
        if (r == null || a == null || r.stages().isEmpty() || !r.ortTarget().isEmpty()) { // optimised graph: other positions
            return null;
        }
        List<Integer> cuts = new java.util.ArrayList<>();
        int at = 0;
        for (Message.Stage s : r.stages()) {
            if (s.start() != at || s.end() <= s.start()) {
                return null;
            }
            if (at > 0) {
                cuts.add(at);
            }
            at = s.end();
        }
        return at == a.nodeCount() ? List.copyOf(cuts) : null;
    }

    public String fileName() {
        return model.fileName();
    }

    public Path path() {
        return model.path();
    }

    public String hash() {
        return model.sha256();
    }

    public long sizeBytes() {
        return model.sizeBytes();
    }

    public int opset() {
        return model.opset();
    }

    public ReadOnlyObjectProperty<Status> statusProperty() {
        return status.getReadOnlyProperty();
    }

    public Status status() {
        return status.get();
    }

    /** A summary when ready, the slicer's reason when the analysis failed. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Input shapes for the analysis, e.g. {@code x=1x3x320x320}; needed for dynamic inputs. */
    public StringProperty shapesProperty() {
        return shapes;
    }

    public ReadOnlyObjectProperty<ModelAnalysis> analysisProperty() {
        return analysis.getReadOnlyProperty();
    }

    public ModelAnalysis analysis() {
        return analysis.get();
    }

    /** The interior cut positions chosen, increasing; empty for one slice. */
    public ReadOnlyObjectProperty<List<Integer>> cutsProperty() {
        return cuts.getReadOnlyProperty();
    }

    public List<Integer> cuts() {
        return cuts.get();
    }

    /** Agents whose heartbeat lists this model, by name. */
    public ReadOnlyObjectProperty<List<String>> hostedOnProperty() {
        return hostedOn.getReadOnlyProperty();
    }

    public List<String> hostedOn() {
        return hostedOn.get();
    }

    /** The whole model as something to drag onto an agent. */
    public WholeModel asDeployable() {
        return new WholeModel(hash(), fileName(), sizeBytes());
    }

    @Override
    public String toString() {
        return fileName();
    }
}
