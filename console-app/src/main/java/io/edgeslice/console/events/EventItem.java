package io.edgeslice.console.events;

import io.edgeslice.broker.BrokerEvent;

/**
 * One line of the event list.
 *
 * @param seq      the broker's sequence number; negative for the console's own notices
 * @param kind     the broker's event kind (e.g. AGENT_LOST), or CONSOLE
 * @param subject  the agent, model or task it is about
 */
public record EventItem(long seq, long timeMs, BrokerEvent.Severity severity, String kind, String subject, String message) {
}
