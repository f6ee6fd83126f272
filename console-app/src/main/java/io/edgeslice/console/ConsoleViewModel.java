package io.edgeslice.console;

import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.agents.DeploymentsViewModel;
import io.edgeslice.console.charts.ChartsViewModel;
import io.edgeslice.console.dag.DagViewModel;
import io.edgeslice.console.events.EventsViewModel;
import io.edgeslice.console.header.HeaderViewModel;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.console.plan.PlanViewModel;
import java.util.function.Consumer;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * The console's view-models, wired together, and the one method that applies a poll of the
 * broker to all of them. FX thread only (built and used there; background work is handed back
 * through the {@link UiDispatcher}).
 */
public final class ConsoleViewModel {
    private final ConsoleSelection selection = new ConsoleSelection();
    private final AgentColors colors = new AgentColors();
    private final ReadOnlyObjectWrapper<Notice> notice = new ReadOnlyObjectWrapper<>(this, "notice");
    private final HeaderViewModel header;
    private final AgentsViewModel agents;
    private final DeploymentsViewModel deployments;
    private final ModelsViewModel models;
    private final DagViewModel dag;
    private final ChartsViewModel charts;
    private final EventsViewModel events;
    private final PlanViewModel plan;

    /**
     * @param background where files are read, models analysed and commands sent
     * @param layout     where DAG layouts are computed
     */
    public ConsoleViewModel(ConsoleSource source, UiDispatcher ui, Executor background, Executor layout, LongSupplier clock) {
        header = new HeaderViewModel(source.endpoints());
        events = new EventsViewModel(clock);
        agents = new AgentsViewModel(colors, selection);
        // the broker records deployment failures as events itself: those only notify
        deployments = new DeploymentsViewModel(source, agents, ui, background, notice::set, clock);
        Consumer<Notice> noted = n -> {
            notice.set(n);
            events.add(n);
        };
        models = new ModelsViewModel(source, ui, background, noted, selection);
        dag = new DagViewModel(models, agents, colors, ui, layout);
        charts = new ChartsViewModel(colors, selection);
        plan = new PlanViewModel(source, models, agents, ui, background, noted);
    }

    /** Applies one poll of the broker to every view. */
    public void apply(ConsoleUpdate u) {
        header.apply(u.snapshot(), u.takenAtMs(), u.problem());
        models.apply(u.snapshot().agents(), u.snapshot().routes());
        agents.apply(u.snapshot().agents(), u.newSamples(), models::label);
        charts.apply(u.snapshot().agents(), u.newSamples(), u.takenAtMs());
        events.apply(u.newEvents());
        dag.refreshPlacements();
    }

    /** The latest notice for the operator (refused file, failed deployment), or null. */
    public ReadOnlyObjectProperty<Notice> noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public ConsoleSelection selection() {
        return selection;
    }

    public AgentColors colors() {
        return colors;
    }

    public HeaderViewModel header() {
        return header;
    }

    public AgentsViewModel agents() {
        return agents;
    }

    public DeploymentsViewModel deployments() {
        return deployments;
    }

    public ModelsViewModel models() {
        return models;
    }

    public DagViewModel dag() {
        return dag;
    }

    public ChartsViewModel charts() {
        return charts;
    }

    public PlanViewModel plan() {
        return plan;
    }

    public EventsViewModel events() {
        return events;
    }
}
