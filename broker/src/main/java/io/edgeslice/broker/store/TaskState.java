package io.edgeslice.broker.store;

/** Life cycle of a task in the broker. */
public enum TaskState {
    QUEUED, RUNNING, DONE, FAILED, EXPIRED;

    public boolean isFinal() {
        return this == DONE || this == FAILED || this == EXPIRED;
    }
}
