package io.edgeslice.client;

import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Tensor;
import java.util.List;
import java.util.UUID;

/**
 * What became of a task: exactly one outcome per task. latencyMs runs from the first submit to the
 * answer; computeMicros is the ONNX Runtime time the answer took (through a pipeline, every stage's,
 * summed), so latencyMs minus that is what moving and queueing the data cost; code and message are
 * set when the status is not OK.
 */
public record TaskOutcome(UUID taskId, Status status, String agent, int attempt, double latencyMs, long computeMicros,
                          List<Tensor> outputs, ErrorCode code, String message) {

    public enum Status {
        OK, FAILED, EXPIRED, TIMEOUT;

        public String lowerName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TaskOutcome {
        outputs = List.copyOf(outputs);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
