package io.edgeslice.console.models;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.console.ConsoleSource;
import io.edgeslice.console.Format;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.protocol.Message;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cuts;
import io.edgeslice.slicer.InputShapes;
import io.edgeslice.slicer.OnnxModel;
import io.edgeslice.slicer.SlicingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The models the operator added: each is checked by the slicer, imported into the broker's store
 * and analysed (inputs, outputs, cut candidates) on a background thread. Files that are not ONNX
 * models are refused with the slicer's reason and change nothing. FX thread only.
 */
public final class ModelsViewModel {
    private final ConsoleSource source;
    private final UiDispatcher ui;
    private final Executor background;
    private final Consumer<Notice> notices;
    private final ConsoleSelection selection;
    private final ObservableList<ModelItem> models = FXCollections.observableArrayList();
    private final ObjectProperty<ModelItem> selected = new SimpleObjectProperty<>(this, "selected");
    private final Set<String> adding = new HashSet<>();

    public ModelsViewModel(ConsoleSource source, UiDispatcher ui, Executor background, Consumer<Notice> notices, ConsoleSelection selection) {
        this.source = source;
        this.ui = ui;
        this.background = background;
        this.notices = notices;
        this.selection = selection;
        selected.addListener((o, was, now) -> selection.modelHashProperty().set(now == null ? null : now.hash()));
    }

    /** Adds several files, e.g. dropped on the window; each is accepted or refused on its own. */
    public void addFiles(List<Path> files) {
        for (Path f : files) {
            addModel(f, "");
        }
    }

    /**
     * Adds a model file: refuses anything that is not an ONNX model, imports it into the broker
     * and analyses it with {@code shapes} (e.g. {@code x=1x3x320x320}, empty for fixed-shape
     * models). The future completes on the FX thread with the item once it is listed (analysis
     * may still run), or exceptionally with the reason it was refused.
     */
    public CompletableFuture<ModelItem> addModel(Path file, String shapes) {
        CompletableFuture<ModelItem> listed = new CompletableFuture<>();
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            refuse(listed, name + " is not an ONNX model: expected a .onnx file");
            return listed;
        }
        background.execute(() -> {
            OnnxModel model;
            try {
                model = OnnxModel.load(file);
            } catch (SlicingException e) {
                ui.submit(() -> refuse(listed, e.getMessage()));
                return;
            }
            ui.submit(() -> list(model, shapes, listed));
        });
        return listed;
    }

    private void refuse(CompletableFuture<ModelItem> listed, String why) {
        notices.accept(new Notice(BrokerEvent.Severity.ERROR, "Model refused", why));
        listed.completeExceptionally(new IllegalArgumentException(why));
    }

    private void list(OnnxModel model, String shapes, CompletableFuture<ModelItem> listed) {
        ModelItem existing = find(model.sha256());
        if (existing != null || !adding.add(model.sha256())) {
            notices.accept(new Notice(BrokerEvent.Severity.INFO, "Already added", model.fileName() + " (" + Format.shortHash(model.sha256())
                    + ") is already in the list"));
            if (existing != null) {
                selected.set(existing);
                listed.complete(existing);
            } else {
                listed.completeExceptionally(new IllegalStateException(model.fileName() + " is being added already"));
            }
            return;
        }
        background.execute(() -> {
            try {
                source.importModel(model.path());
            } catch (IOException | RuntimeException e) {
                ui.submit(() -> {
                    adding.remove(model.sha256());
                    refuse(listed, "cannot import " + model.fileName() + " into the broker's model store: " + e.getMessage());
                });
                return;
            }
            ui.submit(() -> {
                adding.remove(model.sha256());
                ModelItem item = new ModelItem(model, shapes);
                models.add(item);
                if (selected.get() == null) {
                    selected.set(item);
                }
                listed.complete(item);
                analyse(item);
            });
        });
    }

    /** (Re-)analyses a model with the input shapes in its {@link ModelItem#shapesProperty()}. */
    public void analyse(ModelItem item) {
        item.analysing();
        String shapes = item.shapesProperty().get() == null ? "" : item.shapesProperty().get().trim();
        background.execute(() -> {
            try {
                InputShapes parsed = InputShapes.parse(shapes.isEmpty() ? List.of() : Arrays.asList(shapes.split("[\\s;]+")));
                Analysis a = Analysis.of(item.model(), parsed);
                ModelAnalysis result = new ModelAnalysis(a, ModelGraph.of(a), a.inputs(), a.outputs(), a.candidates());
                ui.submit(() -> item.analysed(result));
            } catch (SlicingException | IOException e) {
                ui.submit(() -> item.failed(e.getMessage()));
            } catch (RuntimeException e) {
                ui.submit(() -> item.failed("analysis failed: " + e));
            }
        });
    }

    /** Cuts the model at these interior positions (the slicer checks them); a refusal is reported. */
    public boolean setCuts(ModelItem item, List<Integer> positions) {
        ModelAnalysis a = item.analysis();
        if (a == null) {
            notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Cannot cut " + item.fileName(), "the model has not been analysed"));
            return false;
        }
        try {
            int[] checked = Cuts.check(a.analysis(), new TreeSet<>(positions).stream().mapToInt(Integer::intValue).toArray());
            item.setCuts(Arrays.stream(checked).boxed().toList());
            return true;
        } catch (SlicingException e) {
            notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Cannot cut " + item.fileName(), e.getMessage()));
            return false;
        }
    }

    /** Adds or removes one cut. */
    public boolean toggleCut(ModelItem item, int position) {
        List<Integer> next = new ArrayList<>(item.cuts());
        if (!next.remove(Integer.valueOf(position))) {
            next.add(position);
        }
        return setCuts(item, next);
    }

    /** Cuts into {@code slices} slices of about equal node counts at usable positions. */
    public boolean splitEvenly(ModelItem item, int slices) {
        ModelAnalysis a = item.analysis();
        if (a == null) {
            return setCuts(item, List.of());
        }
        try {
            return setCuts(item, Arrays.stream(Cuts.evenlySpread(a.analysis(), slices)).boxed().toList());
        } catch (SlicingException e) {
            notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Cannot cut " + item.fileName(), e.getMessage()));
            return false;
        }
    }

    /**
     * Withdraws every route of the model (the agents keep its slices cached until they need the
     * space); the result is reported as a notice, and the routes leave the model with the next
     * snapshot.
     */
    public void undeploy(ModelItem item) {
        if (item.route() == null) {
            notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Nothing to undeploy", item.fileName() + " has no route"));
            return;
        }
        source.undeployRoutes(item.hash()).whenComplete((gone, err) -> ui.submit(() -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                notices.accept(new Notice(BrokerEvent.Severity.ERROR, "Cannot undeploy " + item.fileName(), cause.getMessage()));
            } else {
                notices.accept(new Notice(BrokerEvent.Severity.INFO, "Undeployed " + item.fileName(), "withdrew " + gone.size()
                        + (gone.size() == 1 ? " route" : " routes")));
            }
        }));
    }

    /** Which agents host each model, from a snapshot's rows, and each model's routes if it has any. */
    public void apply(List<Message.AgentRow> rows, List<Message.Route> routes) {
        for (ModelItem m : models) {
            m.setRoutes(routes.stream().filter(r -> r.modelHash().equals(m.hash())).sorted(Comparator.comparingInt(Message.Route::replica)).toList());
            List<String> on = new ArrayList<>();
            for (Message.AgentRow r : rows) {
                if (r.models().contains(m.hash())) {
                    on.add(r.name());
                }
            }
            m.setHostedOn(on);
        }
    }

    public ModelItem find(String hash) {
        for (ModelItem m : models) {
            if (m.hash().equals(hash)) {
                return m;
            }
        }
        return null;
    }

    /** The model's file name if the console knows it (a slice of a routed model: its name and node range), else its short hash. */
    public String label(String hash) {
        ModelItem m = find(hash);
        if (m != null) {
            return m.fileName();
        }
        for (ModelItem owner : models) {
            Message.Route r = owner.route();
            for (Message.Stage s : r == null ? List.<Message.Stage>of() : r.stages()) {
                if (s.sliceHash().equals(hash)) {
                    return owner.fileName() + " [" + s.start() + "–" + s.end() + ")";
                }
            }
        }
        return Format.shortHash(hash);
    }

    public ObservableList<ModelItem> models() {
        return FXCollections.unmodifiableObservableList(models);
    }

    /** The model shown in the detail pane and the DAG. */
    public ObjectProperty<ModelItem> selectedProperty() {
        return selected;
    }

    public ConsoleSelection selection() {
        return selection;
    }
}
