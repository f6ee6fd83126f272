package io.edgeslice.console.agents;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.ConsoleSource;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.models.Deployable;
import io.edgeslice.console.models.ModelSlice;
import io.edgeslice.console.models.RouteDeployer;
import io.edgeslice.console.models.WholeModel;
import io.edgeslice.protocol.Transport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Drag-and-drop deployment: checks a drop against the broker's rules and starts the deployment,
 * whose progress (pending, done, failed with the broker's reason) it keeps. A whole model is
 * deployed on the agent; a slice of a routed model is moved there (a new route epoch); a slice of
 * a model without a route deploys the model as a route, that slice on the agent. FX thread only.
 */
public final class DeploymentsViewModel {
    static final int KEPT = 50;

    private final ConsoleSource source;
    private final AgentsViewModel agents;
    private final UiDispatcher ui;
    private final Executor background;
    private final Consumer<Notice> notices;
    private final LongSupplier clock;
    private final ObservableList<DeploymentItem> deployments = FXCollections.observableArrayList();

    public DeploymentsViewModel(ConsoleSource source, AgentsViewModel agents, UiDispatcher ui, Executor background,
                                Consumer<Notice> notices, LongSupplier clock) {
        this.source = source;
        this.agents = agents;
        this.ui = ui;
        this.background = background;
        this.notices = notices;
        this.clock = clock;
    }

    /** Whether {@code d} may be dropped on {@code agent} now. */
    public DropCheck check(Deployable d, String agent) {
        AgentItem item = agents.find(agent);
        return DropCheck.of(d, item == null ? null : item.row(), busy(d, agent));
    }

    /** Why a deployment on its way forbids deploying {@code d} on {@code agent}, or null. */
    private String busy(Deployable d, String agent) {
        if (pending(d, agent)) {
            return d.label() + " is already being deployed on " + agent;
        }
        if (d instanceof ModelSlice s) {
            // one route change of a model at a time: each makes a new epoch from the route as it stands
            for (DeploymentItem x : deployments) {
                if (x.state() == DeploymentItem.State.PENDING && x.what() instanceof ModelSlice o && o.modelHash().equals(s.modelHash())) {
                    return "the route of " + s.modelName() + " is being changed already (" + o.label() + " to " + x.agent() + ")";
                }
            }
        }
        return null;
    }

    private boolean pending(Deployable d, String agent) {
        return deployments.stream().anyMatch(x -> x.state() == DeploymentItem.State.PENDING && x.agent().equals(agent)
                && x.what().equals(d));
    }

    /**
     * Deploys {@code d} on {@code agent} if the check allows it; returns the check either way. The
     * deployment's progress appears in {@link #deployments()}.
     */
    public DropCheck deploy(Deployable d, String agent) {
        DropCheck check = check(d, agent);
        if (!check.ok()) {
            notices.accept(new Notice(BrokerEvent.Severity.WARNING, "Cannot deploy " + d.label(), check.reason()));
            return check;
        }
        DeploymentItem item = new DeploymentItem(d, agent, clock.getAsLong());
        deployments.add(0, item);
        if (deployments.size() > KEPT) {
            deployments.remove(KEPT, deployments.size());
        }
        CompletableFuture.supplyAsync(() -> start(d, agent, item), background)
                .thenCompose(f -> f)
                .whenComplete((detail, error) -> ui.submit(() -> finish(item, detail, error)));
        return check;
    }

    /** Starts the deployment on a background thread; completes with what to add to the done message, or null. */
    private CompletableFuture<String> start(Deployable d, String agent, DeploymentItem item) {
        if (d instanceof WholeModel m) {
            return source.deploy(m.modelHash(), agent).thenApply(v -> null);
        }
        ModelSlice s = (ModelSlice) d;
        if (s.routed()) {
            return source.moveSlice(s.modelHash(), s.start(), agent).thenApply(r -> "route " + RouteDeployer.describe(r));
        }
        List<String> placement = new ArrayList<>(Collections.nCopies(s.sliceCount(), ""));
        placement.set(s.index(), agent);
        return RouteDeployer.deploy(source, s.analysis(), s.cuts(), placement, Transport.NONE, step -> ui.submit(() -> item.progress(step)))
                .thenApply(r -> "route " + RouteDeployer.describe(r));
    }

    private void finish(DeploymentItem item, String detail, Throwable error) {
        if (error == null) {
            item.done(clock.getAsLong(), detail);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        item.failed(clock.getAsLong(), why);
        notices.accept(new Notice(BrokerEvent.Severity.ERROR, "Deployment failed", item.messageProperty().get()));
    }

    /** The deployments started from this console, newest first. */
    public ObservableList<DeploymentItem> deployments() {
        return FXCollections.unmodifiableObservableList(deployments);
    }

    /** The pending deployment to {@code agent}, if any, for the row's progress display. */
    public DeploymentItem pendingOn(String agent) {
        return deployments.stream().filter(x -> x.state() == DeploymentItem.State.PENDING && x.agent().equals(agent)).findFirst()
                .orElse(null);
    }
}
