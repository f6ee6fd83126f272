package io.edgeslice.console.models;

import io.edgeslice.console.DragFormats;
import io.edgeslice.console.Format;
import io.edgeslice.slicer.Cut;
import io.edgeslice.slicer.TensorSpec;
import java.io.File;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** The models: a list to drag from, and the selected model's inputs, outputs and cut candidates. */
public final class ModelsView extends BorderPane {
    private final ModelsViewModel vm;
    private final ListView<ModelItem> list;
    private final Label title = new Label();
    private final Label size = new Label();
    private final TextField hash = new TextField();
    private final Label opset = new Label();
    private final Label hosted = new Label();
    private final Label status = new Label();
    private final TextField shapes = new TextField();
    private final Label inputs = new Label();
    private final Label outputs = new Label();
    private final Label cutsLabel = new Label();
    private final TableView<Cut> candidates = new TableView<>();
    private final Spinner<Integer> sliceCount = new Spinner<>(1, 16, 3);
    private final Button undeploy = new Button("Undeploy");
    private final VBox detail;
    private final InvalidationListener refresh = o -> showDetail();
    private ModelItem shown;

    public ModelsView(ModelsViewModel vm) {
        this.vm = vm;
        getStyleClass().add("models-view");
        getStylesheets().add(Objects.requireNonNull(ModelsView.class.getResource("models.css")).toExternalForm());
        list = new ListView<>(vm.models());
        list.setId("models-list");
        list.setPrefWidth(190);
        list.setPlaceholder(new Label("Add an .onnx file, or drop one on the window."));
        list.setCellFactory(l -> new ModelCell());
        list.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) {
                vm.selectedProperty().set(now);
            }
        });
        vm.selectedProperty().addListener((o, was, now) -> {
            if (now != list.getSelectionModel().getSelectedItem()) {
                list.getSelectionModel().select(now);
            }
            show(now);
        });
        Label heading = new Label("Models");
        heading.getStyleClass().add("view-title");
        heading.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Button add = new Button("Add model…");
        add.setId("add-model");
        add.setOnAction(e -> choose());
        HBox bar = new HBox(8, heading, add);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        VBox left = new VBox(bar, list);
        VBox.setVgrow(list, Priority.ALWAYS);
        setLeft(left);
        detail = detail();
        setCenter(detail);
        show(vm.selectedProperty().get());
    }

    private void choose() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Add an ONNX model");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("ONNX models", "*.onnx"));
        List<File> files = chooser.showOpenMultipleDialog(getScene() == null ? null : getScene().getWindow());
        if (files != null) {
            vm.addFiles(files.stream().map(File::toPath).toList());
        }
    }

    private VBox detail() {
        title.getStyleClass().add("model-title");
        hash.setEditable(false);
        hash.getStyleClass().add("hash");
        GridPane facts = new GridPane();
        facts.setHgap(10);
        facts.setVgap(3);
        facts.addRow(0, key("Size"), size, key("Opset"), opset);
        facts.addRow(1, key("SHA-256"), hash);
        GridPane.setColumnSpan(hash, 3);
        facts.addRow(2, key("Inputs"), inputs);
        GridPane.setColumnSpan(inputs, 3);
        facts.addRow(3, key("Outputs"), outputs);
        GridPane.setColumnSpan(outputs, 3);
        facts.addRow(4, key("Hosted on"), hosted);
        GridPane.setColumnSpan(hosted, 3);
        status.setId("model-status");
        status.setWrapText(true);

        shapes.setPromptText("input shapes for dynamic inputs, e.g. x=1x3x320x320");
        shapes.setId("model-shapes");
        HBox.setHgrow(shapes, Priority.ALWAYS);
        Button analyse = new Button("Analyse");
        analyse.setOnAction(e -> {
            if (shown != null) {
                shown.shapesProperty().set(shapes.getText());
                vm.analyse(shown);
            }
        });
        HBox shapeBar = new HBox(6, shapes, analyse);
        shapeBar.setAlignment(Pos.CENTER_LEFT);

        sliceCount.setPrefWidth(70);
        Button split = new Button("Split evenly");
        split.setId("split-evenly");
        split.setOnAction(e -> {
            if (shown != null) {
                vm.splitEvenly(shown, sliceCount.getValue());
            }
        });
        Button clear = new Button("One slice");
        clear.setOnAction(e -> {
            if (shown != null) {
                vm.setCuts(shown, List.of());
            }
        });
        undeploy.setId("undeploy-model");
        undeploy.setOnAction(e -> {
            if (shown != null) {
                vm.undeploy(shown);
            }
        });
        for (Button b : List.of(split, clear, analyse, undeploy)) {
            b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        Label slicesLabel = new Label("Slices");
        slicesLabel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        sliceCount.setMinWidth(64);
        HBox cutBar = new HBox(6, slicesLabel, sliceCount, split, clear, undeploy);
        cutBar.setAlignment(Pos.CENTER_LEFT);

        candidates.setId("cut-candidates");
        candidates.setPlaceholder(new Label("No analysis yet."));
        candidates.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableColumn<Cut, Cut> cut = new TableColumn<>("Cut");
        cut.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        cut.setCellFactory(c -> new CutCell());
        cut.setPrefWidth(44);
        cut.setMinWidth(44);
        TableColumn<Cut, Number> position = new TableColumn<>("Position");
        position.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().position()));
        TableColumn<Cut, String> crossing = new TableColumn<>("Crossing");
        crossing.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(Format.bytes(c.getValue().bytes())));
        TableColumn<Cut, String> tensors = new TableColumn<>("Tensors");
        tensors.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().tensors().stream().map(TensorSpec::name)
                .collect(Collectors.joining(", "))));
        TableColumn<Cut, String> flops = new TableColumn<>("Compute before");
        flops.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(flopsShare(c.getValue())));
        candidates.getColumns().setAll(List.of(cut, position, crossing, flops, tensors));
        VBox.setVgrow(candidates, Priority.ALWAYS);

        VBox box = new VBox(6, title, facts, status, shapeBar, cutBar, cutsLabel, candidates);
        box.setPadding(new Insets(8));
        box.getStyleClass().add("model-detail");
        return box;
    }

    private String flopsShare(Cut c) {
        ModelAnalysis a = shown == null ? null : shown.analysis();
        long total = a == null ? 0 : a.analysis().totalFlops();
        return total <= 0 ? Format.NONE : String.format(Locale.ROOT, "%.0f %%", 100.0 * c.flopsBefore() / total);
    }

    private static Label key(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("key");
        return l;
    }

    private void show(ModelItem item) {
        if (shown != null) {
            shown.statusProperty().removeListener(refresh);
            shown.cutsProperty().removeListener(refresh);
            shown.hostedOnProperty().removeListener(refresh);
            shown.routeProperty().removeListener(refresh);
        }
        shown = item;
        if (item != null) {
            item.statusProperty().addListener(refresh);
            item.cutsProperty().addListener(refresh);
            item.hostedOnProperty().addListener(refresh);
            item.routeProperty().addListener(refresh);
        }
        showDetail();
    }

    private void showDetail() {
        ModelItem m = shown;
        detail.setDisable(m == null);
        if (m == null) {
            title.setText("No model selected");
            for (Label l : List.of(size, opset, inputs, outputs, hosted, status, cutsLabel)) {
                l.setText("");
            }
            hash.setText("");
            candidates.getItems().clear();
            return;
        }
        title.setText(m.fileName());
        undeploy.setDisable(m.route() == null);
        size.setText(Format.bytes(m.sizeBytes()));
        hash.setText(m.hash());
        opset.setText(Integer.toString(m.opset()));
        String whole = m.hostedOn().isEmpty() ? "" : "whole on " + String.join(", ", m.hostedOn());
        String route = m.route() == null ? "" : "route: " + m.route().stages().stream().map(s -> "[" + s.start() + "–" + s.end() + ") on "
                + (s.agent().isEmpty() ? "?" : s.agent())).collect(Collectors.joining(", "));
        hosted.setText(whole.isEmpty() && route.isEmpty() ? "no agent" : whole.isEmpty() ? route : route.isEmpty() ? whole : whole + " · " + route);
        status.setText(m.messageProperty().get());
        status.getStyleClass().removeAll("failed");
        if (m.status() == ModelItem.Status.FAILED) {
            status.getStyleClass().add("failed");
        }
        if (!shapes.isFocused()) {
            shapes.setText(m.shapesProperty().get());
        }
        ModelAnalysis a = m.analysis();
        inputs.setText(a == null ? Format.NONE : specs(a.inputs()));
        outputs.setText(a == null ? Format.NONE : specs(a.outputs()));
        List<Integer> routed = m.routeCuts();
        cutsLabel.setText(routed != null ? "route epoch " + m.route().epoch() + ": " + (routed.size() + 1) + " slices"
                + (m.replicas() > 1 ? " (route 0 of " + m.replicas() + " replicas)" : "")
                : m.cuts().isEmpty() ? "one slice" : "cuts at " + m.cuts().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        List<Cut> interior = a == null ? List.of()
                : a.candidates().stream().filter(c -> c.position() > 0 && c.position() < a.nodeCount()).toList();
        if (!interior.equals(candidates.getItems())) {
            candidates.getItems().setAll(interior);
        }
        candidates.refresh();
    }

    private static String specs(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining("   "));
    }

    /** A model in the list; dragging it onto an agent deploys it. */
    private final class ModelCell extends ListCell<ModelItem> {
        ModelCell() {
            setOnDragDetected(e -> {
                ModelItem m = getItem();
                if (m == null) {
                    return;
                }
                Dragboard db = startDragAndDrop(TransferMode.COPY);
                ClipboardContent content = new ClipboardContent();
                content.put(DragFormats.DEPLOYABLE, DragFormats.MODEL_PREFIX + m.hash());
                db.setContent(content);
                db.setDragView(snapshot(null, null));
                e.consume();
            });
        }

        @Override
        protected void updateItem(ModelItem m, boolean empty) {
            super.updateItem(m, empty);
            setText(empty || m == null ? null : m.fileName() + "\n" + Format.bytes(m.sizeBytes()) + " · " + Format.shortHash(m.hash()));
        }
    }

    /** Whether the model is cut at this candidate; clicking adds or removes the cut. */
    private final class CutCell extends TableCell<Cut, Cut> {
        private final CheckBox box = new CheckBox();

        CutCell() {
            box.setOnAction(e -> {
                if (shown != null && getItem() != null && !vm.toggleCut(shown, getItem().position())) {
                    box.setSelected(!box.isSelected());
                }
            });
        }

        @Override
        protected void updateItem(Cut c, boolean empty) {
            super.updateItem(c, empty);
            if (empty || c == null || shown == null) {
                setGraphic(null);
                return;
            }
            box.setSelected(shown.cuts().contains(c.position()));
            setGraphic(box);
        }
    }
}
