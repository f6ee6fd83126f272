package io.edgeslice.console.agents;

import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.console.AgentColors;
import io.edgeslice.console.ConsoleSelection;
import io.edgeslice.protocol.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;

/**
 * The live Metric Table: a row per agent, lost agents first, filtered by state, hosted model and
 * name. FX thread only.
 */
public final class AgentsViewModel {
    /** Which states the table shows. */
    public enum StateFilter {
        ALL("All states"), HEALTHY("Healthy"), SUSPECT("Suspect"), LOST("Lost"), NOT_HEALTHY("Suspect or lost");

        private final String label;

        StateFilter(String label) {
            this.label = label;
        }

        boolean accepts(AgentStatus s) {
            return switch (this) {
                case ALL -> true;
                case HEALTHY -> s == AgentStatus.HEALTHY;
                case SUSPECT -> s == AgentStatus.SUSPECT;
                case LOST -> s == AgentStatus.LOST;
                case NOT_HEALTHY -> s != AgentStatus.HEALTHY;
            };
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Lost first, then suspect, then healthy. */
    public static final Comparator<AgentItem> STATE_FIRST = Comparator.comparing(AgentItem::status);

    private final AgentColors colors;
    private final ConsoleSelection selection;
    // rows re-sort and re-filter when their state or hosted models change
    private final ObservableList<AgentItem> items =
            FXCollections.observableArrayList(i -> new Observable[] {i.statusProperty(), i.modelLabelsProperty()});
    private final Map<String, AgentItem> byName = new HashMap<>();
    private final FilteredList<AgentItem> filtered = new FilteredList<>(items);
    private final SortedList<AgentItem> sorted = new SortedList<>(filtered, STATE_FIRST.thenComparing(AgentItem::name));
    private final ObjectProperty<StateFilter> stateFilter = new SimpleObjectProperty<>(this, "stateFilter", StateFilter.ALL);
    private final StringProperty nameFilter = new SimpleStringProperty(this, "nameFilter", "");
    /** SHA-256 of the model rows must host, or null for any. */
    private final ObjectProperty<String> modelFilter = new SimpleObjectProperty<>(this, "modelFilter");
    private final ObjectProperty<Comparator<AgentItem>> columnOrder = new SimpleObjectProperty<>(this, "columnOrder");
    // a column order on live numbers must be re-applied after each update; the extractor only covers state and models
    private final IntegerProperty resort = new SimpleIntegerProperty(this, "resort");

    public AgentsViewModel(AgentColors colors, ConsoleSelection selection) {
        this.colors = colors;
        this.selection = selection;
        filtered.predicateProperty().bind(Bindings.createObjectBinding(() -> {
            StateFilter s = stateFilter.get();
            String text = nameFilter.get() == null ? "" : nameFilter.get().trim().toLowerCase(Locale.ROOT);
            String model = modelFilter.get();
            return item -> s.accepts(item.status()) && (text.isEmpty() || item.name().toLowerCase(Locale.ROOT).contains(text))
                    && (model == null || item.row().models().contains(model));
        }, stateFilter, nameFilter, modelFilter));
        sorted.comparatorProperty().bind(Bindings.createObjectBinding(() -> {
            Comparator<AgentItem> then = columnOrder.get() == null ? Comparator.comparing(AgentItem::name) : columnOrder.get();
            return STATE_FIRST.thenComparing(then);
        }, columnOrder, resort));
    }

    /**
     * Applies a snapshot's rows and the new CPU samples.
     *
     * @param modelLabel how to name a model hash (file name if the console knows it)
     */
    public void apply(List<Message.AgentRow> rows, Map<String, List<AgentMetrics>> samples, Function<String, String> modelLabel) {
        Set<String> present = new HashSet<>();
        List<AgentItem> added = new ArrayList<>();
        for (Message.AgentRow r : rows) {
            present.add(r.name());
            List<String> labels = r.models().stream().map(modelLabel).sorted().toList();
            AgentItem item = byName.get(r.name());
            if (item == null) {
                item = new AgentItem(r, colors.of(r.name()));
                item.update(r, labels);
                byName.put(r.name(), item);
                added.add(item);
            } else {
                item.update(r, labels);
            }
            item.addSamples(samples.getOrDefault(r.name(), List.of()));
        }
        items.addAll(added);
        if (byName.keySet().retainAll(present)) {
            items.removeIf(i -> !present.contains(i.name()));
        }
        if (columnOrder.get() != null) {
            resort.set(resort.get() + 1);
        }
    }

    /** The rows to show: filtered, lost first, then by the chosen column (or name). */
    public ObservableList<AgentItem> rows() {
        return sorted;
    }

    /** Every known agent, unfiltered. */
    public ObservableList<AgentItem> allRows() {
        return FXCollections.unmodifiableObservableList(items);
    }

    public AgentItem find(String name) {
        return byName.get(name);
    }

    public ObjectProperty<StateFilter> stateFilterProperty() {
        return stateFilter;
    }

    public StringProperty nameFilterProperty() {
        return nameFilter;
    }

    public ObjectProperty<String> modelFilterProperty() {
        return modelFilter;
    }

    /** The order the operator chose by clicking a column, applied after the state order. */
    public ObjectProperty<Comparator<AgentItem>> columnOrderProperty() {
        return columnOrder;
    }

    public ConsoleSelection selection() {
        return selection;
    }
}
