package io.edgeslice.console.events;

import io.edgeslice.broker.BrokerEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/** The event list, newest first, with a minimum severity. */
public final class EventsView extends BorderPane {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    public EventsView(EventsViewModel vm) {
        getStyleClass().add("events-view");
        getStylesheets().add(Objects.requireNonNull(EventsView.class.getResource("events.css")).toExternalForm());
        Label title = new Label("Events");
        title.getStyleClass().add("view-title");
        title.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        ChoiceBox<BrokerEvent.Severity> minimum = new ChoiceBox<>();
        minimum.getItems().setAll(BrokerEvent.Severity.values());
        minimum.valueProperty().bindBidirectional(vm.minimumProperty());
        Label problems = new Label();
        problems.textProperty().bind(Bindings.createStringBinding(() -> vm.problemsProperty().get() + " warnings and errors",
                vm.problemsProperty()));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, title, new Label("at least"), minimum, spacer, problems);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 8, 4, 8));
        setTop(bar);

        TableView<EventItem> table = new TableView<>(vm.events());
        table.setId("events-table");
        table.setPlaceholder(new Label("No events yet."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableColumn<EventItem, String> time = column("Time", e -> TIME.format(Instant.ofEpochMilli(e.timeMs())), 70);
        TableColumn<EventItem, String> severity = column("Severity", e -> e.severity().name(), 76);
        severity.setCellFactory(c -> new SeverityCell());
        TableColumn<EventItem, String> kind = column("Kind", EventItem::kind, 120);
        TableColumn<EventItem, String> subject = column("Subject", EventItem::subject, 130);
        TableColumn<EventItem, String> message = column("Message", EventItem::message, 600);
        table.getColumns().setAll(List.of(time, severity, kind, subject, message));
        setCenter(table);
    }

    private static TableColumn<EventItem, String> column(String title, java.util.function.Function<EventItem, String> value, double width) {
        TableColumn<EventItem, String> c = new TableColumn<>(title);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(value.apply(d.getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }

    private static final class SeverityCell extends TableCell<EventItem, String> {
        @Override
        protected void updateItem(String s, boolean empty) {
            super.updateItem(s, empty);
            getStyleClass().removeAll("info", "warning", "error");
            setText(empty ? null : s);
            if (!empty && s != null) {
                getStyleClass().add(s.toLowerCase(java.util.Locale.ROOT));
            }
        }
    }
}
