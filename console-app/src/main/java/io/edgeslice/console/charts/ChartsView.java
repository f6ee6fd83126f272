package io.edgeslice.console.charts;

import io.edgeslice.console.Format;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javafx.beans.InvalidationListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import javafx.util.StringConverter;

/** A row of charts per runtime; the selected agent's row is highlighted and scrolled to. */
public final class ChartsView extends BorderPane {
    /** Said in the UI: what a "container" is today and which series have no source yet. */
    static final String SCOPE_NOTE = "Per agent today (each agent is one runtime; per-slice containers come with pipelines). "
            + "Latency (p50 and p95 per second): tasks sent by this console. Bytes in/out: agents report no network counters yet.";

    private final ChartsViewModel vm;
    private final ListView<ContainerSeries> list;

    public ChartsView(ChartsViewModel vm) {
        this.vm = vm;
        getStyleClass().add("charts-view");
        getStylesheets().add(Objects.requireNonNull(ChartsView.class.getResource("charts.css")).toExternalForm());
        Label title = new Label("Runtimes");
        title.getStyleClass().add("view-title");
        title.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        ChoiceBox<Duration> window = choice(ChartsViewModel.WINDOWS, vm.windowProperty().get());
        window.valueProperty().bindBidirectional(vm.windowProperty());
        window.setId("chart-window");
        ChoiceBox<Duration> refresh = choice(ChartsViewModel.REFRESH, vm.refreshProperty().get());
        refresh.valueProperty().bindBidirectional(vm.refreshProperty());
        refresh.setId("chart-refresh");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, title, spacer, new Label("Window"), window, new Label("Refresh"), refresh);
        bar.setAlignment(Pos.CENTER_LEFT);
        Label note = new Label(SCOPE_NOTE);
        note.getStyleClass().add("scope-note");
        note.setWrapText(true);
        VBox top = new VBox(2, bar, note);
        top.setPadding(new Insets(6, 8, 4, 8));
        setTop(top);
        list = new ListView<>(vm.containers());
        list.setId("charts-list");
        list.setPlaceholder(new Label("No runtime has reported metrics yet."));
        list.setCellFactory(l -> new ContainerCell());
        list.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) {
                vm.selection().agentProperty().set(now.name());
            }
        });
        vm.selection().agentProperty().addListener((o, was, now) -> {
            ContainerSeries c = now == null ? null : vm.find(now);
            if (c != null && c != list.getSelectionModel().getSelectedItem()) {
                list.getSelectionModel().select(c);
                list.scrollTo(c);
            }
        });
        vm.windowProperty().addListener(o -> list.refresh());
        setCenter(list);
    }

    private static ChoiceBox<Duration> choice(List<Duration> values, Duration selected) {
        ChoiceBox<Duration> box = new ChoiceBox<>();
        box.getItems().setAll(values);
        box.setValue(selected);
        box.setConverter(new StringConverter<>() {
            @Override
            public String toString(Duration d) {
                return d == null ? "" : d.toMillis() < 1000 ? d.toMillis() + " ms" : d.toSeconds() < 60 ? d.toSeconds() + " s"
                        : d.toMinutes() + " min";
            }

            @Override
            public Duration fromString(String s) {
                throw new UnsupportedOperationException();
            }
        });
        return box;
    }

    /** One runtime: its name and a chart per metric, redrawn when its series get points. */
    private final class ContainerCell extends ListCell<ContainerSeries> {
        private final Circle dot = new Circle(5);
        private final Label name = new Label();
        private final Label scope = new Label();
        private final TimeSeriesChart cpu = new TimeSeriesChart("CPU %", v -> Format.percent(v), 100);
        private final TimeSeriesChart memory = new TimeSeriesChart("Memory", v -> Format.bytes((long) v), Double.NaN);
        private final TimeSeriesChart requests = new TimeSeriesChart("Requests/s", Format::rate, Double.NaN);
        private final TimeSeriesChart inflight = new TimeSeriesChart("In flight", v -> String.format(Locale.ROOT, "%.0f", v), Double.NaN);
        private final TimeSeriesChart latency = new TimeSeriesChart("Latency", Format::millis, Double.NaN);
        private final HBox row;
        private final InvalidationListener redraw = o -> redraw();
        private ContainerSeries shown;

        ContainerCell() {
            name.getStyleClass().add("container-name");
            scope.getStyleClass().add("container-scope");
            VBox label = new VBox(2, new HBox(5, dot, name), scope);
            label.setMinWidth(84);
            label.setPrefWidth(84);
            row = new HBox(6, label, cpu, memory, requests, inflight, latency);
            for (TimeSeriesChart c : List.of(cpu, memory, requests, inflight, latency)) {
                HBox.setHgrow(c, Priority.ALWAYS);
            }
            row.setAlignment(Pos.CENTER_LEFT);
            setText(null);
            // the charts share the list's width instead of widening it into a horizontal scroll
            setPrefWidth(0);
            // every poll, not only new points: a silent runtime's lines must slide out of the window
            vm.tickProperty().addListener(redraw);
        }

        @Override
        protected void updateItem(ContainerSeries c, boolean empty) {
            super.updateItem(c, empty);
            shown = empty ? null : c;
            if (shown == null) {
                setGraphic(null);
                return;
            }
            name.setText(c.name());
            scope.setText(c.scope().name().toLowerCase(Locale.ROOT));
            dot.setFill(Color.web(c.color()));
            setGraphic(row);
            redraw();
        }

        private void redraw() {
            ContainerSeries c = shown;
            if (c == null) {
                return;
            }
            long window = vm.windowProperty().get().toMillis();
            long now = System.currentTimeMillis();
            Color color = Color.web(c.color());
            cpu.show(List.of(c.cpu()), List.of(color), Format.NONE, window, now);
            memory.show(List.of(c.memoryUsed()), List.of(color), Format.NONE, window, now);
            requests.show(List.of(c.requestsPerSecond()), List.of(color), Format.NONE, window, now);
            inflight.show(List.of(c.inflight()), List.of(color), Format.NONE, window, now);
            latency.show(List.of(c.latencyP50(), c.latencyP95()), List.of(color, color.deriveColor(0, 0.6, 0.7, 1)),
                    "no tasks from here", window, now);
        }
    }

    /** Points plotted in the visible charts of a runtime, or -1 if its row is not shown; for tests. */
    public int plottedPoints(String container) {
        return list.lookupAll(".list-cell").stream().filter(n -> n instanceof ContainerCell cell && cell.shown != null
                        && cell.shown.name().equals(container)).map(n -> (ContainerCell) n)
                .mapToInt(cell -> cell.cpu.plottedProperty().get() + cell.memory.plottedProperty().get()
                        + cell.requests.plottedProperty().get() + cell.inflight.plottedProperty().get())
                .max().orElse(-1);
    }
}
