package io.edgeslice.broker;

import io.edgeslice.broker.store.TaskRecord;
import io.edgeslice.broker.store.TaskState;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import java.util.Comparator;
import java.util.List;

/** The broker's working state for one task; owned by the loop thread. */
final class TaskEntry {
    /** Queue order: priority, then arrival (the same order as the store's sorted set). */
    static final Comparator<TaskEntry> QUEUE_ORDER = Comparator.comparingDouble((TaskEntry t) -> t.record.queueScore())
            .thenComparing(t -> t.record.taskId());

    final TaskRecord record;
    final List<Tensor> inputs;
    /** Monotonic deadline, 0 for none. */
    final long deadlineNanos;
    TaskState state = TaskState.QUEUED;
    int attempt;
    String agent;
    long dispatchedNanos;
    long leaseUntilNanos;
    /** The answer the client got (RESULT, FAILED or EXPIRED), kept to answer retries. */
    Message answer;
    long finishedNanos;

    TaskEntry(TaskRecord record, List<Tensor> inputs, long deadlineNanos) {
        this.record = record;
        this.inputs = List.copyOf(inputs);
        this.deadlineNanos = deadlineNanos;
    }

    boolean expired(long now) {
        return deadlineNanos != 0 && now - deadlineNanos >= 0;
    }
}
