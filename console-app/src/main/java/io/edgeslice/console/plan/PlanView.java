package io.edgeslice.console.plan;

import io.edgeslice.slicer.Objective;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

/**
 * Auto-plan: a button, the progress of measuring on the agents, and the plan beside the current
 * route with what was measured; Apply deploys the plan.
 */
public final class PlanView extends VBox {
    private static final PseudoClass FAILED = PseudoClass.getPseudoClass("failed");
    private final PlanViewModel vm;
    private final Label current = new Label();
    private final Label planned = new Label();
    private final Label warnings = new Label();
    private final Label measured = new Label();
    private final Label links = new Label();
    private final Label assumptions = new Label();

    public PlanView(PlanViewModel vm) {
        this.vm = vm;
        getStyleClass().add("plan-view");
        getStylesheets().add(Objects.requireNonNull(PlanView.class.getResource("plan.css")).toExternalForm());
        setSpacing(4);
        setPadding(new Insets(4, 8, 6, 8));

        Button plan = new Button("Auto-plan");
        plan.setId("auto-plan");
        plan.setMinWidth(Region.USE_PREF_SIZE);
        plan.setOnAction(e -> vm.autoPlan());
        plan.disableProperty().bind(vm.models().selectedProperty().isNull()
                .or(vm.stateProperty().isEqualTo(PlanViewModel.State.MEASURING))
                .or(vm.stateProperty().isEqualTo(PlanViewModel.State.APPLYING)));
        ChoiceBox<Objective> goal = new ChoiceBox<>(FXCollections.observableArrayList(Objective.LATENCY, Objective.THROUGHPUT));
        goal.setId("plan-objective");
        goal.setMinWidth(Region.USE_PREF_SIZE);
        goal.setConverter(new StringConverter<>() {
            @Override
            public String toString(Objective o) {
                return o == null ? "" : o == Objective.THROUGHPUT ? "for throughput" : "for latency";
            }

            @Override
            public Objective fromString(String s) {
                return s.contains("throughput") ? Objective.THROUGHPUT : Objective.LATENCY;
            }
        });
        goal.valueProperty().bindBidirectional(vm.objectiveProperty());
        goal.disableProperty().bind(plan.disableProperty());
        Button apply = new Button("Apply");
        apply.setId("apply-plan");
        apply.setMinWidth(Region.USE_PREF_SIZE);
        apply.setOnAction(e -> vm.apply());
        apply.disableProperty().bind(vm.resultProperty().isNull().or(vm.stateProperty().isNotEqualTo(PlanViewModel.State.PLANNED)
                .and(vm.stateProperty().isNotEqualTo(PlanViewModel.State.FAILED))));
        ProgressBar bar = new ProgressBar();
        bar.setId("plan-progress");
        bar.setPrefWidth(120);
        bar.progressProperty().bind(Bindings.when(vm.stateProperty().isEqualTo(PlanViewModel.State.APPLYING))
                .then(ProgressBar.INDETERMINATE_PROGRESS).otherwise(vm.progressProperty()));
        bar.visibleProperty().bind(vm.stateProperty().isEqualTo(PlanViewModel.State.MEASURING)
                .or(vm.stateProperty().isEqualTo(PlanViewModel.State.APPLYING)));
        bar.managedProperty().bind(bar.visibleProperty());
        Label status = new Label();
        status.setId("plan-status");
        status.getStyleClass().add("plan-status");
        status.setWrapText(true);
        status.textProperty().bind(Bindings.createStringBinding(() -> vm.statusProperty().get().isEmpty()
                ? "The healthy agents profile the selected model and the links are timed; then its cuts and agents are planned "
                + "for the lowest latency, or the highest pipelined rate. Nothing is deployed until you press Apply." : vm.statusProperty().get(),
                vm.statusProperty()));
        vm.stateProperty().addListener((o, was, now) -> status.pseudoClassStateChanged(FAILED, now == PlanViewModel.State.FAILED));
        HBox.setHgrow(status, Priority.ALWAYS);
        HBox top = new HBox(8, plan, goal, apply, bar, status);
        top.setAlignment(Pos.CENTER_LEFT);

        current.setId("plan-current");
        planned.setId("plan-planned");
        for (Label l : List.of(current, planned)) {
            l.getStyleClass().add("plan-column");
            l.setWrapText(true);
            l.setMaxWidth(Double.MAX_VALUE);
        }
        Label currentTitle = new Label("Current route");
        Label plannedTitle = new Label("Plan (lowest latency)");
        currentTitle.getStyleClass().add("plan-heading");
        plannedTitle.getStyleClass().add("plan-heading");
        GridPane compare = new GridPane();
        compare.setId("plan-compare");
        compare.setHgap(16);
        compare.setVgap(2);
        ColumnConstraints half = new ColumnConstraints();
        half.setPercentWidth(50);
        compare.getColumnConstraints().setAll(half, half);
        compare.addRow(0, currentTitle, plannedTitle);
        compare.addRow(1, current, planned);
        warnings.setId("plan-warnings");
        warnings.getStyleClass().add("plan-warnings");
        warnings.setWrapText(true);
        measured.setId("plan-profiles");
        links.setId("plan-links");
        assumptions.setId("plan-assumptions");
        for (Label l : List.of(measured, links, assumptions)) {
            l.getStyleClass().add("plan-assumptions");
            l.setWrapText(true);
        }
        VBox details = new VBox(3, compare, warnings, measured, links, assumptions);
        details.visibleProperty().bind(vm.resultProperty().isNotNull());
        details.managedProperty().bind(details.visibleProperty());
        getChildren().setAll(top, details);

        vm.resultProperty().addListener(o -> show());
        vm.currentProperty().addListener(o -> show());
        show();
    }

    private void show() {
        PlanViewModel.Result r = vm.resultProperty().get();
        PlanViewModel.Current c = vm.currentProperty().get();
        if (r == null) {
            current.setText("");
            planned.setText("");
            warnings.setText("");
            measured.setText("");
            links.setText("");
            assumptions.setText("");
            return;
        }
        measured.setText(PlanMath.profiles(r.planned()));
        links.setText(PlanMath.links(r.planned()));
        assumptions.setText(PlanMath.assumptions(r.planned()));
        planned.setText(describe(r.costed()));
        current.setText(c == null ? "" : c.costed() == null ? c.why() : describe(c.costed()));
        warnings.setText(String.join("\n", r.warnings()));
        warnings.setVisible(!r.warnings().isEmpty());
        warnings.setManaged(!r.warnings().isEmpty());
    }

    /** A placement in lines: each slice with its agent and times, then the predicted latency. */
    static String describe(PlanMath.Costed c) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < c.stages().size(); i++) {
            PlanMath.StageCost s = c.stages().get(i);
            b.append(String.format(Locale.ROOT, "slice %d [%d–%d) on %s: %.1f ms + %.1f ms in%n", i + 1, s.start(), s.end(), s.agent(),
                    s.computeMs(), s.transferInMs()));
        }
        return b.append(String.format(Locale.ROOT, "predicted latency %.1f ms (result back %.1f ms)", c.latencyMs(), c.resultTransferMs()))
                .toString();
    }
}
