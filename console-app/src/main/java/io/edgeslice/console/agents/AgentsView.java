package io.edgeslice.console.agents;

import io.edgeslice.console.DragFormats;
import io.edgeslice.console.Format;
import io.edgeslice.console.models.Deployable;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.protocol.Message;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import javafx.beans.InvalidationListener;
import javafx.beans.binding.Bindings;
import javafx.collections.ObservableList;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.DragEvent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** The live Metric Table; its rows are drop targets for models and slices. */
public final class AgentsView extends BorderPane {
    private static final PseudoClass LOST = PseudoClass.getPseudoClass("lost");
    private static final PseudoClass SUSPECT = PseudoClass.getPseudoClass("suspect");
    private static final PseudoClass DROP_OK = PseudoClass.getPseudoClass("drop-ok");
    private static final PseudoClass DROP_BAD = PseudoClass.getPseudoClass("drop-bad");
    static final String HINT = "Drag a model from Models, or a slice from the Slice DAG, onto a healthy agent to deploy it there.";

    private final AgentsViewModel vm;
    private final DeploymentsViewModel deployments;
    private final Function<String, Deployable> resolve;
    private final TableView<AgentItem> table = new TableView<>();
    private final Label hint = new Label(HINT);

    /**
     * @param resolve turns a dragged id ({@code model:<sha256>}, {@code slice:…}) into what it stands for, or null
     * @param models  the models to filter by
     */
    public AgentsView(AgentsViewModel vm, DeploymentsViewModel deployments, Function<String, Deployable> resolve,
                      ObservableList<ModelItem> models) {
        this.vm = vm;
        this.deployments = deployments;
        this.resolve = resolve;
        getStyleClass().add("agents-view");
        getStylesheets().add(Objects.requireNonNull(AgentsView.class.getResource("agents.css")).toExternalForm());
        setTop(toolbar(models));
        setCenter(table());
        setBottom(bottom());
    }

    private HBox toolbar(ObservableList<ModelItem> models) {
        Label title = new Label("Agents");
        title.getStyleClass().add("view-title");
        title.setMinWidth(Region.USE_PREF_SIZE);
        ChoiceBox<AgentsViewModel.StateFilter> state = new ChoiceBox<>();
        state.getItems().setAll(AgentsViewModel.StateFilter.values());
        state.valueProperty().bindBidirectional(vm.stateFilterProperty());
        state.setId("agent-state-filter");
        state.setPrefWidth(130);
        ComboBox<ModelItem> model = new ComboBox<>(models);
        model.setPromptText("any model");
        model.setId("agent-model-filter");
        model.setPrefWidth(170);
        vm.modelFilterProperty().bind(Bindings.createObjectBinding(() -> model.getValue() == null ? null : model.getValue().hash(),
                model.valueProperty()));
        Button anyModel = new Button("×");
        anyModel.setOnAction(e -> model.setValue(null));
        anyModel.disableProperty().bind(model.valueProperty().isNull());
        TextField name = new TextField();
        name.setPromptText("filter by name");
        name.setId("agent-name-filter");
        name.setPrefWidth(130);
        name.textProperty().bindBidirectional(vm.nameFilterProperty());
        Label count = new Label();
        count.setMinWidth(Region.USE_PREF_SIZE);
        count.textProperty().bind(Bindings.createStringBinding(() -> vm.rows().size() + " of " + vm.allRows().size() + " agents",
                vm.rows(), vm.allRows()));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, title, state, model, anyModel, name, spacer, count);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        return bar;
    }

    private TableView<AgentItem> table() {
        table.setId("agents-table");
        table.setItems(vm.rows());
        table.setPlaceholder(new Label("No agent has registered. Start one: edgeslice agent --broker tcp://HOST:PORT"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        // the view-model keeps lost agents first and applies the clicked column after that
        table.setSortPolicy(t -> true);
        vm.columnOrderProperty().bind(table.comparatorProperty());

        TableColumn<AgentItem, Message.AgentRow> name = text("Agent", Message.AgentRow::name, 96);
        name.setCellFactory(c -> new AgentCells.NameCell());
        name.setComparator(Comparator.comparing(Message.AgentRow::name));
        TableColumn<AgentItem, Message.AgentRow> state = text("State", Message.AgentRow::state, 64);
        state.setComparator(Comparator.comparing(r -> AgentStatus.of(r.state())));
        TableColumn<AgentItem, Message.AgentRow> cpu = numeric("CPU", r -> Format.percent(r.cpuPercent()), Message.AgentRow::cpuPercent, 54);
        TableColumn<AgentItem, double[]> trend = new TableColumn<>("CPU 60 s");
        trend.setCellValueFactory(c -> c.getValue().cpuTrendProperty());
        trend.setCellFactory(c -> new SparklineCell());
        trend.setSortable(false);
        trend.setPrefWidth(SparklineCell.WIDTH + 14);
        TableColumn<AgentItem, Message.AgentRow> memory = numeric("Memory", r -> Format.memory(r.memoryUsedBytes(), r.memoryTotalBytes()),
                r -> r.memoryUsedBytes(), 112);
        TableColumn<AgentItem, Message.AgentRow> load = numeric("Load", r -> Format.load(r.loadAverage()), Message.AgentRow::loadAverage, 44);
        TableColumn<AgentItem, Message.AgentRow> inflight = numeric("Tasks", r -> Integer.toString(r.inflight()), r -> r.inflight(), 46);
        TableColumn<AgentItem, Message.AgentRow> host = text("Host", r -> r.host() + " · " + r.arch() + " · " + r.cores() + " cores", 150);
        TableColumn<AgentItem, Message.AgentRow> heartbeat = numeric("Heartbeat", r -> Format.age(r.heartbeatAgeMs()),
                r -> r.heartbeatAgeMs(), 70);
        TableColumn<AgentItem, Message.AgentRow> hosted = new TableColumn<>("Models");
        hosted.setCellValueFactory(c -> c.getValue().rowProperty());
        hosted.setCellFactory(c -> new AgentCells.ModelsCell(deployments));
        hosted.setSortable(false);
        hosted.setPrefWidth(180);
        inflight.setText("In flight");
        table.getColumns().setAll(java.util.List.of(name, state, cpu, trend, memory, load, inflight, heartbeat, hosted, host));

        table.setRowFactory(t -> new AgentRow());
        table.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) {
                vm.selection().agentProperty().set(now.name());
            }
        });
        vm.selection().agentProperty().addListener((o, was, now) -> select(now));
        return table;
    }

    private void select(String agent) {
        AgentItem current = table.getSelectionModel().getSelectedItem();
        if (agent == null || current != null && current.name().equals(agent)) {
            return;
        }
        for (AgentItem item : table.getItems()) {
            if (item.name().equals(agent)) {
                table.getSelectionModel().select(item);
                table.scrollTo(item);
                return;
            }
        }
    }

    private VBox bottom() {
        ListView<DeploymentItem> list = new ListView<>(deployments.deployments());
        list.setId("deployments");
        list.setPrefHeight(58);
        list.setPlaceholder(new Label("No deployments yet."));
        list.setCellFactory(l -> new AgentCells.DeploymentCell());
        hint.setId("drop-hint");
        hint.getStyleClass().add("drop-hint");
        VBox box = new VBox(4, hint, list);
        box.setPadding(new Insets(4, 8, 6, 8));
        return box;
    }

    private static TableColumn<AgentItem, Message.AgentRow> text(String title, Function<Message.AgentRow, String> text, double width) {
        TableColumn<AgentItem, Message.AgentRow> col = new TableColumn<>(title);
        col.setCellValueFactory(c -> c.getValue().rowProperty());
        col.setCellFactory(c -> new AgentCells.FieldCell(text));
        col.setComparator(Comparator.comparing(text));
        col.setPrefWidth(width);
        return col;
    }

    private static TableColumn<AgentItem, Message.AgentRow> numeric(String title, Function<Message.AgentRow, String> text,
                                                                   ToDoubleFunction<Message.AgentRow> value, double width) {
        TableColumn<AgentItem, Message.AgentRow> col = text(title, text, width);
        col.setComparator(Comparator.comparingDouble(value));
        col.getStyleClass().add("numeric");
        return col;
    }

    private Deployable payload(Dragboard db) {
        if (!db.hasContent(DragFormats.DEPLOYABLE)) {
            return null;
        }
        return resolve.apply(String.valueOf(db.getContent(DragFormats.DEPLOYABLE)));
    }

    /** A table row: coloured by state, and a drop target that lights up valid or blocked. */
    private final class AgentRow extends TableRow<AgentItem> {
        private final InvalidationListener restyle = o -> restyle();

        AgentRow() {
            itemProperty().addListener((o, was, now) -> {
                if (was != null) {
                    was.statusProperty().removeListener(restyle);
                }
                if (now != null) {
                    now.statusProperty().addListener(restyle);
                }
                restyle();
            });
            setOnDragOver(this::dragOver);
            setOnDragExited(e -> {
                pseudoClassStateChanged(DROP_OK, false);
                pseudoClassStateChanged(DROP_BAD, false);
                hint.setText(HINT);
            });
            setOnDragDropped(this::dropped);
        }

        private void restyle() {
            AgentItem item = getItem();
            pseudoClassStateChanged(LOST, item != null && item.status() == AgentStatus.LOST);
            pseudoClassStateChanged(SUSPECT, item != null && item.status() == AgentStatus.SUSPECT);
        }

        private void dragOver(DragEvent e) {
            Deployable d = payload(e.getDragboard());
            if (d == null || getItem() == null) {
                return;
            }
            DropCheck check = deployments.check(d, getItem().name());
            if (check.ok()) {
                e.acceptTransferModes(TransferMode.COPY);
            }
            pseudoClassStateChanged(DROP_OK, check.ok());
            pseudoClassStateChanged(DROP_BAD, !check.ok());
            hint.setText((check.ok() ? "Drop to " : "Blocked: ") + check.reason());
            e.consume();
        }

        private void dropped(DragEvent e) {
            Deployable d = payload(e.getDragboard());
            if (d == null || getItem() == null) {
                return;
            }
            e.setDropCompleted(deployments.deploy(d, getItem().name()).ok());
            e.consume();
        }
    }
}
