package io.edgeslice.console.header;

import io.edgeslice.console.Format;
import java.util.Objects;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/** The summary bar at the top of the window. */
public final class HeaderView extends HBox {

    public HeaderView(HeaderViewModel vm) {
        getStyleClass().add("header-view");
        getStylesheets().add(Objects.requireNonNull(HeaderView.class.getResource("header.css")).toExternalForm());
        Label title = new Label("EdgeSlice");
        title.getStyleClass().add("app-title");
        Label healthy = chip("healthy", vm.healthyProperty().asString("%d healthy"));
        healthy.setId("header-healthy");
        Label suspect = chip("suspect", vm.suspectProperty().asString("%d suspect"));
        suspect.setId("header-suspect");
        Label lost = chip("lost", vm.lostProperty().asString("%d lost"));
        lost.setId("header-lost");
        Label rate = new Label();
        rate.setId("header-rate");
        rate.textProperty().bind(Bindings.createStringBinding(() -> "tasks " + Format.rate(vm.tasksPerSecondProperty().get()),
                vm.tasksPerSecondProperty()));
        Label queue = new Label();
        queue.textProperty().bind(Bindings.createStringBinding(() -> "queued " + vm.queuedProperty().get() + " · running "
                + vm.runningProperty().get() + " · done " + vm.completedProperty().get() + " · failed " + vm.failedProperty().get(),
                vm.queuedProperty(), vm.runningProperty(), vm.completedProperty(), vm.failedProperty()));
        Label problem = new Label();
        problem.getStyleClass().add("problem");
        problem.textProperty().bind(vm.problemProperty());
        problem.visibleProperty().bind(vm.problemProperty().isNotEmpty());
        problem.managedProperty().bind(problem.visibleProperty());
        Label note = new Label();
        note.setId("header-note");
        note.getStyleClass().add("note");
        note.textProperty().bind(vm.noteProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label broker = new Label();
        broker.setId("header-broker");
        broker.getStyleClass().add("broker");
        broker.textProperty().bind(Bindings.createStringBinding(() -> "broker " + vm.endpointsProperty().get() + " · store "
                + vm.storeProperty().get(), vm.endpointsProperty(), vm.storeProperty()));
        getChildren().setAll(title, healthy, suspect, lost, rate, queue, problem, note, spacer, broker);
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(12);
        setPadding(new Insets(8, 12, 8, 12));
    }

    private static Label chip(String style, javafx.beans.binding.StringExpression text) {
        Label l = new Label();
        l.textProperty().bind(text);
        l.getStyleClass().addAll("chip", style);
        return l;
    }
}
