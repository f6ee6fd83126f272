package io.edgeslice.agent;

import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Message;
import java.util.UUID;

/**
 * A task the agent accepted, with its deadline as an instant of the agent's clock, if it has one;
 * or (slice) a run of one slice of a pipeline.
 */
record TaskJob(Message.Task task, boolean hasDeadline, long deadlineNanos, boolean slice, boolean nextStage) {

    /** Identifies one attempt of a task; a second TASK with the same key is a duplicate. */
    record Key(UUID taskId, int attempt) {
    }

    /** deadlineMs in a TASK is the time left when it arrives. */
    static TaskJob received(Message.Task task, long nowNanos) {
        boolean has = task.deadlineMs() > 0;
        return new TaskJob(task, has, has ? nowNanos + task.deadlineMs() * 1_000_000L : 0, false, false);
    }

    /**
     * A slice run for a pipeline: the task names the slice model; it has no deadline of its own.
     * With {@code nextStage}, the outputs go on to a next stage: the worker computes their CRC32C, and
     * they land in shared memory (when the agent has it), to go by reference to a stage on this machine.
     */
    static TaskJob sliceRun(Message.Task task, boolean nextStage) {
        return new TaskJob(task, false, 0, true, nextStage);
    }

    Key key() {
        return new Key(task.taskId(), task.attempt());
    }

    boolean expired(long nowNanos) {
        return hasDeadline && nowNanos - deadlineNanos > 0;
    }

    Message.Failed fail(ErrorCode code, String message) {
        return new Message.Failed(task.taskId(), task.attempt(), code, message);
    }
}
