package io.edgeslice.console;

import atlantafx.base.controls.Notification;
import atlantafx.base.theme.Styles;
import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.agents.AgentsView;
import io.edgeslice.console.charts.ChartsView;
import io.edgeslice.console.dag.DagView;
import io.edgeslice.console.events.EventsView;
import io.edgeslice.console.header.HeaderView;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelsView;
import io.edgeslice.console.plan.PlanView;
import java.io.File;
import javafx.animation.PauseTransition;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.SplitPane;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * The console window's content: the header over agents and their charts, models and the slice
 * DAG with auto-plan beneath it, and the events; notifications in the top right corner. ONNX files dropped anywhere on
 * it are added as models.
 */
public final class ConsoleView extends StackPane {
    static final Duration NOTICE_SHOWN = Duration.seconds(10);

    private final ConsoleViewModel vm;
    private final AgentsView agents;
    private final ModelsView models;
    private final DagView dag;
    private final ChartsView charts;
    private final EventsView events;
    private final PlanView plan;
    private final VBox notifications = new VBox(8);

    public ConsoleView(ConsoleViewModel vm) {
        this.vm = vm;
        getStyleClass().add("console-view");
        agents = new AgentsView(vm.agents(), vm.deployments(), this::resolve, vm.models().models());
        models = new ModelsView(vm.models());
        dag = new DagView(vm.dag());
        charts = new ChartsView(vm.charts());
        events = new EventsView(vm.events());
        plan = new PlanView(vm.plan());
        // each live view beside what it explains: agents with their charts, models with their DAG
        SplitPane top = new SplitPane(agents, charts);
        top.setDividerPositions(0.56);
        VBox dagAndPlan = new VBox(dag, plan);
        VBox.setVgrow(dag, javafx.scene.layout.Priority.ALWAYS);
        SplitPane middle = new SplitPane(models, dagAndPlan);
        middle.setDividerPositions(0.36);
        SplitPane rows = new SplitPane(top, middle, events);
        rows.setOrientation(Orientation.VERTICAL);
        rows.setDividerPositions(0.40, 0.80);
        BorderPane main = new BorderPane(rows);
        main.setTop(new HeaderView(vm.header()));

        notifications.setId("notifications");
        notifications.setPickOnBounds(false);
        notifications.setMaxSize(420, USE_PREF_SIZE);
        notifications.setPadding(new Insets(56, 12, 0, 0));
        StackPane.setAlignment(notifications, Pos.TOP_RIGHT);
        getChildren().addAll(main, notifications);
        vm.noticeProperty().addListener(o -> notify(vm.noticeProperty().get()));

        setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
                e.consume();
            }
        });
        setOnDragDropped(e -> {
            if (e.getDragboard().hasFiles()) {
                vm.models().addFiles(e.getDragboard().getFiles().stream().map(File::toPath).toList());
                e.setDropCompleted(true);
                e.consume();
            }
        });
    }

    private io.edgeslice.console.models.Deployable resolve(String id) {
        if (id.startsWith(DragFormats.SLICE_PREFIX)) {
            return vm.dag().slice(id);
        }
        if (!id.startsWith(DragFormats.MODEL_PREFIX)) {
            return null;
        }
        ModelItem m = vm.models().find(id.substring(DragFormats.MODEL_PREFIX.length()));
        return m == null ? null : m.asDeployable();
    }

    private void notify(Notice n) {
        if (n == null) {
            return;
        }
        Notification note = new Notification(n.title() + "\n" + n.message());
        note.getStyleClass().addAll(Styles.ELEVATED_2, n.severity() == BrokerEvent.Severity.ERROR ? Styles.DANGER
                : n.severity() == BrokerEvent.Severity.WARNING ? Styles.WARNING : Styles.ACCENT);
        note.setPrefWidth(400);
        note.setMaxWidth(400);
        note.setOnClose(e -> notifications.getChildren().remove(note));
        notifications.getChildren().add(0, note);
        if (notifications.getChildren().size() > 4) {
            notifications.getChildren().remove(4, notifications.getChildren().size());
        }
        PauseTransition hide = new PauseTransition(NOTICE_SHOWN);
        hide.setOnFinished(e -> notifications.getChildren().remove(note));
        hide.play();
    }

    public AgentsView agentsView() {
        return agents;
    }

    public ModelsView modelsView() {
        return models;
    }

    public DagView dagView() {
        return dag;
    }

    public ChartsView chartsView() {
        return charts;
    }

    public PlanView planView() {
        return plan;
    }

    public EventsView eventsView() {
        return events;
    }
}
