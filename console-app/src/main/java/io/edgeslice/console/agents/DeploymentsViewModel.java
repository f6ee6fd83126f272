package io.edgeslice.console.agents;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.console.ConsoleSource;
import io.edgeslice.console.Notice;
import io.edgeslice.console.UiDispatcher;
import io.edgeslice.console.models.Deployable;
import io.edgeslice.console.models.WholeModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Drag-and-drop deployment: checks a drop against the broker's rules and starts the deployment,
 * whose progress (pending, done, failed with the broker's reason) it keeps. FX thread only.
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
        return DropCheck.of(d, item == null ? null : item.row(), pending(d, agent));
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
        CompletableFuture.supplyAsync(() -> start(d, agent), background)
                .thenCompose(f -> f)
                .whenComplete((ok, error) -> ui.submit(() -> finish(item, error)));
        return check;
    }

    private CompletableFuture<Void> start(Deployable d, String agent) {
        if (d instanceof WholeModel m) {
            return source.deploy(m.modelHash(), agent);
        }
        throw new IllegalArgumentException("cannot deploy " + d.label() + ": only whole models can be deployed yet");
    }

    private void finish(DeploymentItem item, Throwable error) {
        if (error == null) {
            item.done(clock.getAsLong());
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
