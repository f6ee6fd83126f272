package io.edgeslice.broker;

import io.edgeslice.protocol.Message;
import java.util.List;

/**
 * An immutable picture of the broker, published by its loop thread a few times a second for
 * readers on other threads (the console, tests).
 */
public record BrokerSnapshot(String endpoint, String store, List<Message.AgentRow> agents, int queued, int running,
                             long submitted, long completed, long failed, long redispatched, long rejected,
                             List<BrokerEvent> events, List<Message.Route> routes) {
    public BrokerSnapshot {
        agents = List.copyOf(agents);
        events = List.copyOf(events);
        routes = List.copyOf(routes);
    }
}
