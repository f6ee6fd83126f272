package io.edgeslice.console;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import io.edgeslice.protocol.Message;
import java.util.List;
import java.util.Map;

/**
 * One poll of the broker, applied to the view-models in one go on the FX thread.
 *
 * @param snapshot   the broker's picture
 * @param newSamples per agent, the metric samples not seen before, oldest first
 * @param newEvents  events with a sequence number above the last one seen, oldest first
 * @param takenAtMs  wall-clock time of the poll
 * @param routes     the deployed routes (slices placed on agents), as last read
 * @param problem    why part of the poll failed (e.g. the store did not answer), or null
 */
public record ConsoleUpdate(BrokerSnapshot snapshot, Map<String, List<AgentMetrics>> newSamples, List<BrokerEvent> newEvents,
                            List<Message.Route> routes, long takenAtMs, String problem) {
    public ConsoleUpdate {
        routes = List.copyOf(routes);
        newSamples = Map.copyOf(newSamples);
        newEvents = List.copyOf(newEvents);
    }
}
