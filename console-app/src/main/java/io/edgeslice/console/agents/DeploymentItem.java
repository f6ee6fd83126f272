package io.edgeslice.console.agents;

import io.edgeslice.console.models.Deployable;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** A deployment the operator started: pending until the agent's heartbeat lists the model. FX thread only. */
public final class DeploymentItem {
    /** Where a deployment stands. */
    public enum State { PENDING, DONE, FAILED }

    private final Deployable what;
    private final String agent;
    private final long startedMs;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.PENDING);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private long finishedMs = -1;

    DeploymentItem(Deployable what, String agent, long startedMs) {
        this.what = what;
        this.agent = agent;
        this.startedMs = startedMs;
        message.set("deploying " + what.label() + " on " + agent + "…");
    }

    /** What the pending deployment is doing now, e.g. cutting the model into slices. */
    void progress(String step) {
        if (state.get() == State.PENDING) {
            message.set("deploying " + what.label() + " on " + agent + ": " + step);
        }
    }

    void done(long nowMs, String detail) {
        finishedMs = nowMs;
        message.set(what.label() + " deployed on " + agent + String.format(java.util.Locale.ROOT, " in %.1f s", (nowMs - startedMs) / 1000.0)
                + (detail == null ? "" : "; " + detail));
        state.set(State.DONE);
    }

    void failed(long nowMs, String why) {
        finishedMs = nowMs;
        message.set("deploying " + what.label() + " on " + agent + " failed: " + why);
        state.set(State.FAILED);
    }

    public Deployable what() {
        return what;
    }

    public String agent() {
        return agent;
    }

    public long startedMs() {
        return startedMs;
    }

    /** When it completed or failed, or -1 while pending. */
    public long finishedMs() {
        return finishedMs;
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public State state() {
        return state.get();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }
}
