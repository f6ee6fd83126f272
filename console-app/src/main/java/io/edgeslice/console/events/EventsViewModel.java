package io.edgeslice.console.events;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.Notice;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The broker's events (agents joining, turning suspect or lost, deployments, task failures) and
 * the console's own notices, newest first, each broker event once. FX thread only.
 */
public final class EventsViewModel {
    static final int KEPT = 1000;

    private final LongSupplier clock;
    private final ObservableList<EventItem> events = FXCollections.observableArrayList();
    private final FilteredList<EventItem> shown = new FilteredList<>(events);
    private final ObjectProperty<BrokerEvent.Severity> minimum = new SimpleObjectProperty<>(this, "minimum", BrokerEvent.Severity.INFO);
    private final ReadOnlyIntegerWrapper problems = new ReadOnlyIntegerWrapper(this, "problems");
    private long lastSeq = -1;
    private long localSeq;

    public EventsViewModel(LongSupplier clock) {
        this.clock = clock;
        shown.predicateProperty().bind(Bindings.createObjectBinding(
                () -> e -> e.severity().compareTo(minimum.get()) >= 0, minimum));
    }

    /** Adds the broker events not seen yet (by sequence number), oldest first as given. */
    public void apply(List<BrokerEvent> fresh) {
        List<EventItem> add = new ArrayList<>();
        for (BrokerEvent e : fresh) {
            if (e.seq() > lastSeq) {
                add.add(0, new EventItem(e.seq(), e.timeMs(), e.severity(), e.kind().name(), e.subject(), e.message()));
                lastSeq = e.seq();
            }
        }
        prepend(add);
    }

    /** Adds a notice of the console's own, e.g. a refused file. */
    public void add(Notice n) {
        prepend(List.of(new EventItem(-(++localSeq), clock.getAsLong(), n.severity(), "CONSOLE", n.title(), n.message())));
    }

    private void prepend(List<EventItem> add) {
        if (add.isEmpty()) {
            return;
        }
        events.addAll(0, add);
        if (events.size() > KEPT) {
            events.remove(KEPT, events.size());
        }
        problems.set((int) events.stream().filter(e -> e.severity() != BrokerEvent.Severity.INFO).count());
    }

    /** Events at or above the minimum severity, newest first. */
    public ObservableList<EventItem> events() {
        return shown;
    }

    /** Every event kept, unfiltered. */
    public List<EventItem> all() {
        return List.copyOf(events);
    }

    public ObjectProperty<BrokerEvent.Severity> minimumProperty() {
        return minimum;
    }

    /** Warnings and errors among the kept events. */
    public ReadOnlyIntegerProperty problemsProperty() {
        return problems.getReadOnlyProperty();
    }
}
