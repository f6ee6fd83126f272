package io.edgeslice.console.header;

import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.protocol.Message;
import java.util.List;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The summary line: agents by state, tasks per second, queue, the broker's endpoints and store. FX thread only. */
public final class HeaderViewModel {
    /** Tasks/s is smoothed over about this long, so one busy poll does not make it jump. */
    static final double SMOOTHING_MS = 3000;

    private final ReadOnlyIntegerWrapper healthy = new ReadOnlyIntegerWrapper(this, "healthy");
    private final ReadOnlyIntegerWrapper suspect = new ReadOnlyIntegerWrapper(this, "suspect");
    private final ReadOnlyIntegerWrapper lost = new ReadOnlyIntegerWrapper(this, "lost");
    private final ReadOnlyDoubleWrapper tasksPerSecond = new ReadOnlyDoubleWrapper(this, "tasksPerSecond", -1);
    private final ReadOnlyIntegerWrapper queued = new ReadOnlyIntegerWrapper(this, "queued");
    private final ReadOnlyIntegerWrapper running = new ReadOnlyIntegerWrapper(this, "running");
    private final ReadOnlyLongWrapper completed = new ReadOnlyLongWrapper(this, "completed");
    private final ReadOnlyLongWrapper failed = new ReadOnlyLongWrapper(this, "failed");
    private final ReadOnlyStringWrapper endpoints = new ReadOnlyStringWrapper(this, "endpoints", "");
    private final ReadOnlyStringWrapper store = new ReadOnlyStringWrapper(this, "store", "");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyStringWrapper note = new ReadOnlyStringWrapper(this, "note", "");
    private long lastFinished = -1;
    private long lastMs;

    public HeaderViewModel(List<String> endpoints) {
        this.endpoints.set(String.join("  ", endpoints));
    }

    public void apply(BrokerSnapshot s, long nowMs, String pollProblem) {
        int h = 0;
        int su = 0;
        int l = 0;
        for (Message.AgentRow r : s.agents()) {
            switch (r.state()) {
                case "healthy" -> h++;
                case "lost" -> l++;
                default -> su++;
            }
        }
        healthy.set(h);
        suspect.set(su);
        lost.set(l);
        queued.set(s.queued());
        running.set(s.running());
        completed.set(s.completed());
        failed.set(s.failed());
        store.set(s.store());
        problem.set(pollProblem == null ? "" : pollProblem);
        long finished = s.completed() + s.failed();
        if (lastFinished >= 0 && nowMs > lastMs) {
            double instant = (finished - lastFinished) * 1000.0 / (nowMs - lastMs);
            double alpha = Math.min(1, (nowMs - lastMs) / SMOOTHING_MS);
            tasksPerSecond.set(tasksPerSecond.get() < 0 ? instant : tasksPerSecond.get() + alpha * (instant - tasksPerSecond.get()));
        }
        lastFinished = finished;
        lastMs = nowMs;
    }

    public ReadOnlyIntegerProperty healthyProperty() {
        return healthy.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty suspectProperty() {
        return suspect.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty lostProperty() {
        return lost.getReadOnlyProperty();
    }

    /** Tasks finished per second (completed or failed), smoothed; -1 until two snapshots were seen. */
    public ReadOnlyDoubleProperty tasksPerSecondProperty() {
        return tasksPerSecond.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty queuedProperty() {
        return queued.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyLongProperty completedProperty() {
        return completed.getReadOnlyProperty();
    }

    public ReadOnlyLongProperty failedProperty() {
        return failed.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty endpointsProperty() {
        return endpoints.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty storeProperty() {
        return store.getReadOnlyProperty();
    }

    /** A line about what runs alongside, e.g. the demo's progress; empty for none. */
    public void setNote(String text) {
        note.set(text == null ? "" : text);
    }

    public ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }

    /** Why the last poll was incomplete (e.g. the store did not answer), or empty. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }
}
