package io.edgeslice.client;

import io.edgeslice.protocol.Tensor;
import java.util.List;
import java.util.UUID;

/**
 * One inference to run: a model (by SHA-256, uploaded first), named inputs, a priority 0-9 and a
 * deadline in ms from submission (0 for none). The id is generated here, so a retried submit is
 * recognised by the broker.
 */
public record TaskRequest(UUID id, String modelHash, List<Tensor> inputs, int priority, long deadlineMs) {
    public TaskRequest {
        inputs = List.copyOf(inputs);
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority must be 0..9, got " + priority);
        }
        if (deadlineMs < 0) {
            throw new IllegalArgumentException("deadline must not be negative, got " + deadlineMs);
        }
    }

    public static TaskRequest of(String modelHash, List<Tensor> inputs, int priority, long deadlineMs) {
        return new TaskRequest(UUID.randomUUID(), modelHash, inputs, priority, deadlineMs);
    }
}
