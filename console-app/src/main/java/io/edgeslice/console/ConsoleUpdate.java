package io.edgeslice.console;

import io.edgeslice.broker.BrokerEvent;
import io.edgeslice.broker.BrokerSnapshot;
import io.edgeslice.broker.store.AgentMetrics;
import java.util.List;
import java.util.Map;

/**
 * One poll of the broker, applied to the view-models in one go on the FX thread.
 *
 * @param snapshot   the broker's picture, with the deployed routes
 * @param newSamples per agent, the metric samples not seen before, oldest first
 * @param newEvents  events with a sequence number above the last one seen, oldest first
 * @param takenAtMs  wall-clock time of the poll
 * @param problem    why part of the poll failed (e.g. the store did not answer), or null
 */
public record ConsoleUpdate(BrokerSnapshot snapshot, Map<String, List<AgentMetrics>> newSamples, List<BrokerEvent> newEvents,
                            long takenAtMs, String problem) {
    public ConsoleUpdate {
        newSamples = Map.copyOf(newSamples);
        newEvents = List.copyOf(newEvents);
    }
}
