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
import io.edgeslice.slicer.Analysis;
import io.edgeslice.slicer.Cluster;
import io.edgeslice.slicer.Objective;
import io.edgeslice.slicer.Plan;
import io.edgeslice.slicer.Planner;
import io.edgeslice.slicer.Profile;
import io.edgeslice.slicer.ProgressListener;
import io.edgeslice.slicer.SlicingException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * Auto-plan for the selected model: profiles it on this machine (on a background thread), plans
 * cuts and agents for the lowest latency over the healthy agents, and shows the plan beside the
 * model's current route predicted with the same cost model. Nothing is deployed until
 * {@link #apply()}. FX thread only.
 */
public final class PlanViewModel {
    /** Where auto-planning stands. */
    public enum State { IDLE, PROFILING, PLANNED, APPLYING, APPLIED, FAILED }

    /**
     * A plan for a model, with what it was made from.
     *
     * @param costed  the plan's stages and latency in the console's cost model
     * @param speeds  the speed assumed for each agent planned over
     * @param warnings e.g. a planned slice that may not fit its agent's memory
     */
    public record Result(String modelHash, String fileName, Analysis analysis, Profile profile, Plan plan, PlanMath.Costed costed,
                         Map<String, Double> speeds, List<String> warnings) {
        public Result {
            speeds = Map.copyOf(speeds);
            warnings = List.copyOf(warnings);
        }
    }

    /** How the current route compares: predicted with the plan's cost model, or why it cannot be. */
    public record Current(PlanMath.Costed costed, String why) {
    }

    private final ConsoleSource source;
    private final ModelsViewModel models;
    private final AgentsViewModel agents;
    private final UiDispatcher ui;
    private final Executor background;
    private final Consumer<Notice> notices;
    private final BiFunction<Analysis, ProgressListener, Profile> profiler;
    private final int localCores;
    private final Map<Analysis, Profile> profiles = new IdentityHashMap<>();
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.IDLE);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyObjectWrapper<Result> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ReadOnlyObjectWrapper<Current> current = new ReadOnlyObjectWrapper<>(this, "current");
    private final InvalidationListener routeChanged = o -> refreshCurrent();
    private ModelItem watched;
    private long generation;

    /**
     * @param profiler   measures a model on this machine, telling its progress ({@code Profiler.profile} in the console)
     * @param localCores this machine's cores, the unit of agent speeds
     */
    public PlanViewModel(ConsoleSource source, ModelsViewModel models, AgentsViewModel agents, UiDispatcher ui, Executor background,
                         Consumer<Notice> notices, BiFunction<Analysis, ProgressListener, Profile> profiler, int localCores) {
        this.source = source;
        this.models = models;
        this.agents = agents;
        this.ui = ui;
        this.background = background;
        this.notices = notices;
        this.profiler = profiler;
        this.localCores = localCores;
        models.selectedProperty().addListener((o, was, now) -> {
            if (state.get() != State.APPLYING) {
                clear();
            }
        });
    }

    /** Profiles and plans the selected model; the plan replaces any earlier one once ready. */
    public void autoPlan() {
        if (state.get() == State.PROFILING || state.get() == State.APPLYING) {
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
        List<PlanMath.AgentSpec> healthy = new ArrayList<>();
        for (AgentItem a : agents.allRows()) {
            if (a.status() == AgentStatus.HEALTHY) {
                healthy.add(new PlanMath.AgentSpec(a.name(), a.row().cores(), a.row().memoryTotalBytes()));
            }
        }
        if (healthy.isEmpty()) {
            fail("No healthy agent to plan for: start one with edgeslice agent --broker " + String.join(" ", source.endpoints()));
            return;
        }
        List<PlanMath.AgentSpec> chosen = PlanMath.choose(healthy);
        Analysis a = item.analysis().analysis();
        Profile cached = profiles.get(a);
        long gen = ++generation;
        result.set(null);
        current.set(null);
        watch(null);
        state.set(State.PROFILING);
        progress.set(cached == null ? 0 : 1);
        status.set(cached == null ? "Profiling " + item.fileName() + " on this machine…" : "Planning " + item.fileName() + "…");
        String fileName = item.fileName();
        long modelBytes = item.sizeBytes();
        String truncated = chosen.size() < healthy.size() ? " Planned over the " + chosen.size() + " agents with the most cores of "
                + healthy.size() + " healthy." : "";
        background.execute(() -> {
            try {
                Profile p = cached != null ? cached : profiler.apply(a, (task, done, total) -> ui.submit(() -> {
                    if (gen == generation) {
                        progress.set(total <= 0 ? 0 : (double) done / total);
                        status.set("Profiling " + fileName + " on this machine: " + task + " (" + done + " of " + total + ")");
                    }
                }));
                Cluster cluster = PlanMath.cluster(chosen, localCores);
                Plan plan = Planner.plan(cluster, p, Objective.LATENCY);
                Map<String, Double> speeds = new HashMap<>();
                List<String> warnings = new ArrayList<>();
                for (PlanMath.AgentSpec s : chosen) {
                    speeds.put(s.name(), PlanMath.speed(s.cores(), localCores));
                }
                for (Plan.Stage st : plan.stages()) {
                    if (!speeds.containsKey(st.node())) {
                        throw new SlicingException("the planner put slice " + st.start() + "-" + st.end() + " on the client, which runs no slices");
                    }
                    long size = ModelSlice.estimateSize(a, modelBytes, st.start(), st.end());
                    PlanMath.AgentSpec spec = chosen.stream().filter(s -> s.name().equals(st.node())).findFirst().orElseThrow();
                    if (spec.memoryBytes() > 0 && size * 3 > spec.memoryBytes()) {
                        warnings.add("slice [" + st.start() + "–" + st.end() + ") (≈" + Format.bytes(size) + ") may not fit " + st.node()
                                + " (" + Format.bytes(spec.memoryBytes()) + "): the broker may refuse it");
                    }
                }
                List<Integer> bounds = bounds(plan.cuts(), a.nodeCount());
                PlanMath.Costed costed = PlanMath.evaluate(p, a, bounds, plan.placement(), speeds);
                Result r = new Result(item.hash(), fileName, a, p, plan, costed, speeds, warnings);
                ui.submit(() -> {
                    profiles.put(a, p);
                    if (gen == generation) {
                        result.set(r);
                        watch(item);
                        refreshCurrent();
                        progress.set(1);
                        status.set(String.format(Locale.ROOT, "Plan for %s: %d %s, predicted %.1f ms. Press Apply to deploy it.%s",
                                fileName, plan.stages().size(), plan.stages().size() == 1 ? "slice" : "slices", costed.latencyMs(), truncated));
                        state.set(State.PLANNED);
                    }
                });
            } catch (RuntimeException e) {
                ui.submit(() -> {
                    if (gen == generation) {
                        fail("Auto-plan of " + fileName + " failed: " + message(e));
                    }
                });
            }
        });
    }

    /** Deploys the plan shown as the model's route: cut at the plan's cuts, each slice on its planned agent. */
    public void apply() {
        Result r = result.get();
        if (r == null || state.get() == State.APPLYING || state.get() == State.PROFILING) {
            return;
        }
        long gen = ++generation;
        state.set(State.APPLYING);
        status.set("Applying the plan for " + r.fileName() + "…");
        CompletableFuture.supplyAsync(() -> RouteDeployer.deploy(source, r.analysis(), r.plan().cuts(), r.plan().placement(),
                        step -> ui.submit(() -> {
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
                    status.set("Applied: " + r.fileName() + " runs as route " + RouteDeployer.describe(route));
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
        current.set(current(r, item.route(), item.routeCuts(), agentSpeeds(r)));
    }

    /** The current route against the plan's cost model: predicted, or why not (no route, other shapes, unknown agent). */
    static Current current(Result r, Message.Route route, List<Integer> routeCuts, Map<String, Double> speeds) {
        if (route == null) {
            return new Current(null, "no route");
        }
        if (routeCuts == null) {
            return new Current(null, "the route (epoch " + route.epoch() + ") was cut for other input shapes; it cannot be predicted");
        }
        List<String> placed = route.stages().stream().map(Message.Stage::agent).toList();
        try {
            return new Current(PlanMath.evaluate(r.profile(), r.analysis(), bounds(routeCuts, r.analysis().nodeCount()), placed, speeds), null);
        } catch (SlicingException e) {
            return new Current(null, e.getMessage());
        }
    }

    /** Speeds of every agent the console knows (the route may use one the plan left out), the plan's where it has them. */
    private Map<String, Double> agentSpeeds(Result r) {
        Map<String, Double> speeds = new HashMap<>();
        for (AgentItem a : agents.allRows()) {
            speeds.put(a.name(), PlanMath.speed(a.row().cores(), localCores));
        }
        speeds.putAll(r.speeds());
        return speeds;
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

    /** This machine's cores, the unit agent speeds are given in. */
    public int localCores() {
        return localCores;
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Profiling progress, 0 to 1. */
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
