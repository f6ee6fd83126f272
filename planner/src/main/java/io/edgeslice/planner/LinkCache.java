package io.edgeslice.planner;

import io.edgeslice.client.LinkSpeed;
import io.edgeslice.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The links last measured over a set of agents, reused for a while: timing every link takes
 * seconds, and a console that plans the same model twice in a row (for latency, then for
 * throughput) would measure the same network twice. A different set of agents (or data endpoints)
 * measures again. Thread-safe.
 */
public final class LinkCache {
    /** How long measured links are reused unless told otherwise. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

    private record Entry(List<String> key, List<LinkSpeed> links, long atNanos) {
    }

    private final long maxAgeNanos;
    private final LongSupplier nanos;
    private Entry last;

    /**
     * @param maxAge how long links are reused
     * @param nanos  the clock, e.g. {@code System::nanoTime}
     */
    public LinkCache(Duration maxAge, LongSupplier nanos) {
        this.maxAgeNanos = maxAge.toNanos();
        this.nanos = nanos;
    }

    /** The links measured over exactly these agents and this client, if not older than the maximum age. */
    public synchronized Optional<List<LinkSpeed>> get(List<Message.AgentRow> agents, String clientNode) {
        if (last == null || !last.key.equals(key(agents, clientNode)) || nanos.getAsLong() - last.atNanos > maxAgeNanos) {
            return Optional.empty();
        }
        return Optional.of(last.links);
    }

    /** How long ago the links {@link #get} returns were measured. */
    public synchronized Duration age() {
        return last == null ? Duration.ZERO : Duration.ofNanos(nanos.getAsLong() - last.atNanos);
    }

    public synchronized void put(List<Message.AgentRow> agents, String clientNode, List<LinkSpeed> links) {
        last = new Entry(key(agents, clientNode), List.copyOf(links), nanos.getAsLong());
    }

    private static List<String> key(List<Message.AgentRow> agents, String clientNode) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("client=" + clientNode),
                agents.stream().map(r -> r.name() + "@" + r.dataEndpoint()).sorted()).toList();
    }
}
