package io.edgeslice.broker;

/**
 * Something an operator should see: an agent joined, became suspect or lost, a task failed, a model
 * was deployed. Kept in a bounded log published with each {@link BrokerSnapshot}.
 */
public record BrokerEvent(long seq, long timeMs, Severity severity, Kind kind, String subject, String message) {

    public enum Severity { INFO, WARNING, ERROR }

    public enum Kind { AGENT_JOINED, AGENT_SUSPECT, AGENT_LOST, AGENT_LEFT, TASK_FAILED, TASK_EXPIRED, MODEL_STORED, DEPLOY_DONE, DEPLOY_FAILED, ROUTE_CHANGED, BROKER_STALLED }
}
