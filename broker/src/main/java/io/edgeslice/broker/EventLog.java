package io.edgeslice.broker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker's last events, newest last; written by the loop thread, copied into snapshots. */
final class EventLog {
    static final int CAPACITY = 500;
    private static final Logger log = LoggerFactory.getLogger("io.edgeslice.broker.events");
    private final Deque<BrokerEvent> events = new ArrayDeque<>();
    private long seq;

    void add(BrokerEvent.Severity severity, BrokerEvent.Kind kind, String subject, String message) {
        if (events.size() == CAPACITY) {
            events.removeFirst();
        }
        events.addLast(new BrokerEvent(++seq, System.currentTimeMillis(), severity, kind, subject, message));
        switch (severity) {
            case INFO -> log.info("{}", message);
            case WARNING -> log.warn("{}", message);
            case ERROR -> log.error("{}", message);
        }
    }

    List<BrokerEvent> snapshot() {
        return List.copyOf(events);
    }
}
