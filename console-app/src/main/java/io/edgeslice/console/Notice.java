package io.edgeslice.console;

import io.edgeslice.broker.BrokerEvent;

/**
 * Something the console itself tells the operator (a rejected file, a failed deployment): shown as
 * a notification and kept in the event list.
 */
public record Notice(BrokerEvent.Severity severity, String title, String message) {
}
