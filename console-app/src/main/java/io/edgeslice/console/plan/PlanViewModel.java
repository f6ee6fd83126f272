package io.edgeslice.console.plan;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.ConsoleSource;
import io.edgeslice.console.Format;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.agents.AgentItem;
import io.edgeslice.console.agents.AgentStatus;
import io.edgeslice.console.agents.AgentsViewModel;
import io.edgeslice.console.models.ModelItem;
import io.edgeslice.console.models.ModelSlice;
import io.edgeslice.console.models.ModelsViewModel;
import io.edgeslice.console.models.RouteDeployer;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Transport;
import io.edgeslice.slicer.Analysis;
import io.edgeslice.planner.MeasuredPlanner;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.SlicingException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;

/**
 * Auto-plan for the selected model, as {@code deploy --plan auto} does: the healthy agents profile
 * it on their own hardware and the links are timed (on a background thread, through {@link
 * ConsoleSource#measure}), the slicer plans cuts and agents for the lowest latency (or the highest
 * pipelined rate, {@link #objectiveProperty()}) over that measured cluster and chooses the activations' transport ({@link MeasuredPlanner}), and the plan is
 * shown beside the model's current route predicted on the same cluster. Nothing is deployed until
 * {@link #apply()}. FX thread only.
 */
public final class PlanViewModel {
    /** Where auto-planning stands; MEASURING covers profiling on the agents and timing the links. */
    public enum State { IDLE, MEASURING, PLANNED, APPLYING, APPLIED, FAILED }

    /** Share of the progress bar for profiling; timing the links fills the rest. */
    static final double PROFILING_SHARE = 0.7;

    /**
     * A plan for a model, with what it was made from.
     *
     * @param planned  the plan over the measured cluster, its transport and the measurements
     * @param costed   the plan's stages and latency in the console's cost model (the planner's)
     * @param warnings e.g. a planned slice that may not fit its agent's memory
     */
    public record Result(String modelHash, String fileName, Analysis analysis, MeasuredPlanner.Result planned, PlanMath.Costed costed,
                         List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }

        public Plan plan() {
            return planned.plan();
        }

        public Transport transport() {
            return planned.transport();
        }
    }

    /** How the current route compares: predicted on the plan's measured cluster, or why it cannot be. */
    public record Current(PlanMath.Costed costed, String why) {
    }

    private final ConsoleSource source;
    private final ModelsViewModel models;
    private final AgentsViewModel agents;
    private final UiDispatcher ui;
    private final Executor background;
    private final Consumer<Notice> notices;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.IDLE);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyObjectWrapper<Result> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ReadOnlyObjectWrapper<Current> current = new ReadOnlyObjectWrapper<>(this, "current");
    private final ObjectProperty<Objective> objective = new SimpleObjectProperty<>(this, "objective", Objective.LATENCY);
    private final InvalidationListener routeChanged = o -> refreshCurrent();
    private ModelItem watched;
    private long generation;

    /**
     * @param source     the broker, and through it the agents that measure
     * @param background where measuring, planning and cutting run
     */
    public PlanViewModel(ConsoleSource source, ModelsViewModel models, AgentsViewModel agents, UiDispatcher ui, Executor background,
                         Consumer<Notice> notices) {
        this.source = source;
        this.models = models;
        this.agents = agents;
        this.ui = ui;
        this.background = background;
        this.notices = notices;
        models.selectedProperty().addListener((o, was, now) -> {
            if (state.get() != State.APPLYING) {
                clear();
            }
        });
    }

    /** Has the agents measure the selected model and the links, and plans it; the plan replaces any earlier one once ready. */
    public void autoPlan() {
        if (state.get() == State.MEASURING || state.get() == State.APPLYING) {
            return;
        }
        ModelItem item = models.selectedProperty().get();
        if (item == null) {
            fail("Select a model to plan.");
            return;
        }
        if (item.analysis() == null) {
            fail(item.fileName() + " is not analysed" + (item.status() == ModelItem.Status.FAILED ? ": " + item.messageProperty().get() : " yet")
                    + "; auto-plan needs its analysis.");
            return;
        }
        List<Message.AgentRow> rows = new ArrayList<>();
        Map<String, Long> memory = new HashMap<>();
        for (AgentItem a : agents.allRows()) {
            if (a.status() == AgentStatus.HEALTHY) {
                rows.add(a.row());
                memory.put(a.name(), a.row().memoryTotalBytes());
            }
        }
        List<Message.AgentRow> chosen = MeasuredPlanner.plannable(rows);
        if (chosen.isEmpty()) {
            String why = "No healthy agent to plan for: start one with edgeslice agent --broker " + String.join(" ", source.endpoints());
            fail(why);
            notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Auto-plan failed", item.fileName() + ": " + why));
            return;
        }
        Analysis a = item.analysis().analysis();
        Objective goal = objective.get() == null ? Objective.LATENCY : objective.get();
        long gen = ++generation;
        result.set(null);
        current.set(null);
        watch(null);
        state.set(State.MEASURING);
        progress.set(0);
        String fileName = item.fileName();
        List<String> names = chosen.stream().map(Message.AgentRow::name).toList();
        status.set("Profiling " + fileName + " on " + String.join(", ", names) + "…");
        long modelBytes = item.sizeBytes();
        String truncated = chosen.size() < rows.size() ? " Planned over the first " + chosen.size() + " of " + rows.size() + " healthy agents."
                : "";
        Map<String, Double> profiled = new HashMap<>(); // agent -> share done; background thread only
        background.execute(() -> {
            try {
                MeasuredPlanner.Measurements m = source.measure(item.hash(), modelBytes, a, chosen, p -> {
                    profiled.put(p.subject(), p.total() <= 0 ? 0 : Math.min(1, (double) p.done() / p.total()));
                    double share = profiled.values().stream().mapToDouble(Double::doubleValue).sum() / names.size();
                    ui.submit(() -> {
                        if (gen == generation) {
                            progress.set(PROFILING_SHARE * share);
                            status.set("Profiling " + fileName + " on " + p.subject() + ": " + p.step() + " (" + p.done() + " of " + p.total() + ")");
                        }
                    });
                }, p -> ui.submit(() -> {
                    if (gen == generation) {
                        progress.set(PROFILING_SHARE + (1 - PROFILING_SHARE) * (p.total() <= 0 ? 0 : (double) p.done() / p.total()));
                        status.set(p.total() > 0 && p.done() >= p.total() ? "Links: " + p.step()
                                : "Timing the link " + p.subject() + " (" + (p.done() + 1) + " of " + p.total() + ")");
                    }
                }));
                MeasuredPlanner.Result planned = MeasuredPlanner.plan(m, a, goal);
                Plan plan = planned.plan();
                List<String> warnings = new ArrayList<>();
                for (Plan.Stage st : plan.stages()) {
                    if (!memory.containsKey(st.node())) {
                        throw new SlicingException("the planner put slice " + st.start() + "-" + st.end() + " on the client, which runs no slices");
                    }
                    long size = ModelSlice.estimateSize(a, modelBytes, st.start(), st.end());
                    long agentMemory = memory.get(st.node());
                    if (agentMemory > 0 && size * 3 > agentMemory) {
                        warnings.add("slice [" + st.start() + "–" + st.end() + ") (≈" + Format.bytes(size) + ") may not fit " + st.node()
                                + " (" + Format.bytes(agentMemory) + "): the broker may refuse it");
                    }
                }
                PlanMath.Costed costed = PlanMath.evaluate(planned.cluster(), a, bounds(plan.cuts(), a.nodeCount()), plan.placement());
                Result r = new Result(item.hash(), fileName, a, planned, costed, warnings);
                ui.submit(() -> {
                    if (gen == generation) {
                        result.set(r);
                        watch(item);
                        refreshCurrent();
                        progress.set(1);
                        String predicted = goal == Objective.THROUGHPUT
                                ? String.format(Locale.ROOT, "a request every %.1f ms once pipelined (%.1f ms each)", planned.sharedPeriodMs(),
                                costed.latencyMs())
                                : String.format(Locale.ROOT, "predicted %.1f ms", costed.latencyMs());
                        status.set(String.format(Locale.ROOT, "Plan for %s (%s): %d %s, %s, activations %s. Press Apply to deploy it.%s",
                                fileName, goal == Objective.THROUGHPUT ? "throughput" : "latency", plan.stages().size(),
                                plan.stages().size() == 1 ? "slice" : "slices", predicted, transportName(planned.transport()), truncated));
                        state.set(State.PLANNED);
                    }
                });
            } catch (RuntimeException e) {
                ui.submit(() -> {
                    if (gen == generation) {
                        String why = message(e);
                        fail("Auto-plan of " + fileName + " failed: " + why.replaceFirst("\\.$", "") + ". Nothing was deployed.");
                        notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Auto-plan failed", fileName + ": " + why));
                    }
                });
            }
        });
    }

    /** What the next auto-plan optimises: the latency of one request (default) or the pipelined rate. */
    public ObjectProperty<Objective> objectiveProperty() {
        return objective;
    }

    /** {@code raw} or {@code lz4}, as the operator reads it. */
    static String transportName(Transport t) {
        return t == Transport.NONE ? "raw" : t.name().toLowerCase(Locale.ROOT);
    }

    /** Deploys the plan shown as the model's route: cut at the plan's cuts, each slice on its planned agent. */
    public void apply() {
        Result r = result.get();
        if (r == null || state.get() == State.APPLYING || state.get() == State.MEASURING) {
            return;
        }
        long gen = ++generation;
        state.set(State.APPLYING);
        status.set("Applying the plan for " + r.fileName() + "…");
        CompletableFuture.supplyAsync(() -> RouteDeployer.deploy(source, r.analysis(), r.plan().cuts(), r.plan().placement(),
                        r.transport(), step -> ui.submit(() -> {
                            if (gen == generation) {
                                status.set("Applying the plan for " + r.fileName() + ": " + step);
                            }
                        })), background)
                .thenCompose(f -> f)
                .whenComplete((route, error) -> ui.submit(() -> {
                    if (gen != generation) {
                        return;
                    }
                    if (error != null) {
                        String why = message(error);
                        fail("Applying the plan for " + r.fileName() + " failed: " + why);
                        notices.accept(new Notice(BrokerEvent.Severity.ERROR, "Plan not applied", r.fileName() + ": " + why));
                        return;
                    }
                    status.set("Applied: " + r.fileName() + " runs as route " + RouteDeployer.describe(route) + ", activations "
                            + transportName(route.transport()));
                    state.set(State.APPLIED);
                    refreshCurrent();
                }));
    }

    /** Recomputes the current route's prediction; called when the planned model's route changes. */
    void refreshCurrent() {
        Result r = result.get();
        ModelItem item = watched;
        if (r == null || item == null) {
            current.set(null);
            return;
        }
        current.set(current(r, item.route(), item.routeCuts()));
    }

    /** The current route on the plan's measured cluster: predicted, or why not (no route, other shapes, an agent not measured). */
    static Current current(Result r, Message.Route route, List<Integer> routeCuts) {
        if (route == null) {
            return new Current(null, "no route");
        }
        if (routeCuts == null) {
            return new Current(null, "the route (epoch " + route.epoch() + ") was cut for other input shapes; it cannot be predicted");
        }
        List<String> placed = route.stages().stream().map(Message.Stage::agent).toList();
        try {
            return new Current(PlanMath.evaluate(r.planned().cluster(), r.analysis(), bounds(routeCuts, r.analysis().nodeCount()), placed), null);
        } catch (SlicingException e) {
            return new Current(null, e.getMessage());
        }
    }

    static List<Integer> bounds(List<Integer> cuts, int nodes) {
        List<Integer> b = new ArrayList<>();
        b.add(0);
        b.addAll(cuts);
        b.add(nodes);
        return b;
    }

    private void watch(ModelItem item) {
        if (watched != null) {
            watched.routeProperty().removeListener(routeChanged);
        }
        watched = item;
        if (item != null) {
            item.routeProperty().addListener(routeChanged);
        }
    }

    private void clear() {
        generation++;
        watch(null);
        result.set(null);
        current.set(null);
        progress.set(0);
        status.set("");
        state.set(State.IDLE);
    }

    private void fail(String why) {
        status.set(why);
        state.set(State.FAILED);
    }

    private static String message(Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Measuring progress, 0 to 1: profiling on the agents, then timing the links. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** The plan shown, or null. */
    public ReadOnlyObjectProperty<Result> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** The current route of the planned model, predicted alike, or null while there is no plan. */
    public ReadOnlyObjectProperty<Current> currentProperty() {
        return current.getReadOnlyProperty();
    }

    public ModelsViewModel models() {
        return models;
    }
}
