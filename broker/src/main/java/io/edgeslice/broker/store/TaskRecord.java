package io.edgeslice.broker.store;

import java.util.UUID;

/**
 * The durable part of a task. clientIdentity is the client's binary socket identity (stored as
 * bytes, never as a string: identities are not text). deadlineMs is an absolute wall-clock time,
 * 0 for none.
 */
public record TaskRecord(UUID taskId, byte[] clientIdentity, int priority, long submittedAtMs, long arrivalSeq,
                         long deadlineMs, String modelHash, long modelSize) {

    /** Highest priority a client may ask for. */
    public static final int MAX_PRIORITY = 9;

    /**
     * Lower is served first: priority 9 before 0, then arrival order. Exact in a double (below 2^53)
     * so Redis sorted sets order it the same way as the broker's in-memory queue.
     */
    public double queueScore() {
        return (MAX_PRIORITY - priority) * 1e13 + arrivalSeq;
    }
}
