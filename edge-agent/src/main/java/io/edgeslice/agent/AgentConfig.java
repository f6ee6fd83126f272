package io.edgeslice.agent;

import io.edgeslice.protocol.Hosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How an {@link EdgeAgent} runs. Any component given as {@code null} (or, for the counts, as 0 or
 * less) takes its default, so a command line can pass through only what the user set.
 *
 * @param brokerEndpoint    the broker's control endpoint, e.g. {@code tcp://127.0.0.1:5555}
 * @param name              the agent's name in the Metric Table; default: this host's name
 * @param threads           ONNX Runtime intra-op threads per model session; default: the number of cores
 * @param slots             tasks run at the same time; default 1
 * @param cacheDir          where models are cached by SHA-256; default {@code ~/.edgeslice/agent-NAME/models}
 * @param advertiseHost     host put into the advertised data endpoint; default (null): the address of
 *                          the interface that routes to the broker
 * @param heartbeatInterval how often heartbeats go out; the broker counts as gone after
 *                          {@link #LIVENESS} intervals of silence; default {@link #HEARTBEAT_INTERVAL}
 * @param clock             monotonic nanoseconds for liveness, backoff and deadlines; default
 *                          {@link System#nanoTime()}. Tests inject their own to control time.
 * @param cacheBytes        bytes of models and slices kept on disk; the least recently used leave
 *                          first (and are fetched again on demand); default {@link #DEFAULT_CACHE_BYTES}
 * @param peerIdle          a data socket to a next stage or a client that carried nothing for this long
 *                          (and waits for no acknowledgement) is closed; default {@link #PEER_IDLE}, at
 *                          least {@link #PEER_IDLE_MIN}
 */
public record AgentConfig(String brokerEndpoint, String name, int threads, int slots, Path cacheDir, String advertiseHost,
                          Duration heartbeatInterval, LongSupplier clock, long cacheBytes, Duration peerIdle) {

    /** Default disk budget of the model cache. */
    public static final long DEFAULT_CACHE_BYTES = 4L << 30;

    /** Default heartbeat interval, the same on the broker's side. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Heartbeat intervals of silence after which the broker counts as gone (Paranoid Pirate). */
    public static final int LIVENESS = 3;
    /**
     * Default idle time after which a data socket closes. Each client session binds an endpoint of
     * its own for results, and a route that moved leaves the old next stage behind: without closing,
     * an agent would keep a socket (and dial it again and again once its peer is gone) for every
     * client session it ever answered.
     */
    public static final Duration PEER_IDLE = Duration.ofSeconds(10);
    /**
     * Shortest idle time allowed. JeroMQ 0.6.0 leaves a few percent of new outgoing connections
     * without a ZMTP handshake (zeromq/jeromq PR #1022) until the data socket's handshake timer,
     * {@value #PEER_HANDSHAKE_MILLIS} ms, reconnects them; what was sent meanwhile waits in the
     * socket, and closing it sooner would lose it (a client's result, which nothing acknowledges).
     */
    public static final Duration PEER_IDLE_MIN = Duration.ofSeconds(3);
    /** The data sockets' ZMTP handshake timeout (see {@link #PEER_IDLE_MIN}). */
    public static final int PEER_HANDSHAKE_MILLIS = 2000;

    public AgentConfig {
        Objects.requireNonNull(brokerEndpoint, "brokerEndpoint");
        if (name == null || name.isBlank()) {
            name = Hosts.hostname();
        }
        if (threads <= 0) {
            threads = Runtime.getRuntime().availableProcessors();
        }
        if (slots <= 0) {
            slots = 1;
        }
        if (cacheDir == null) {
            cacheDir = defaultCacheDir(name);
        }
        if (advertiseHost != null && advertiseHost.isBlank()) {
            advertiseHost = null;
        }
        if (heartbeatInterval == null) {
            heartbeatInterval = HEARTBEAT_INTERVAL;
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.toMillis() < 10) {
            throw new IllegalArgumentException("heartbeatInterval must be at least 10 ms, got " + heartbeatInterval);
        }
        if (clock == null) {
            clock = System::nanoTime;
        }
        if (cacheBytes <= 0) {
            cacheBytes = DEFAULT_CACHE_BYTES;
        }
        if (peerIdle == null) {
            peerIdle = PEER_IDLE;
        }
        if (peerIdle.compareTo(PEER_IDLE_MIN) < 0) {
            throw new IllegalArgumentException("peerIdle must be at least " + PEER_IDLE_MIN + ", got " + peerIdle
                    + ": a message can wait that long in a socket whose handshake stalled");
        }
    }

    private static Path defaultCacheDir(String name) {
        // the name may hold characters a file name cannot
        return Path.of(System.getProperty("user.home"), ".edgeslice", "agent-" + name.replaceAll("[^A-Za-z0-9._-]", "_"), "models");
    }

    /** Every default, for a broker at this endpoint. */
    public static AgentConfig of(String brokerEndpoint) {
        return new AgentConfig(brokerEndpoint, null, 0, 0, null, null, null, null, 0, null);
    }

    /** Another name; a cache directory that was the old name's default follows the name. */
    public AgentConfig withName(String n) {
        Path dir = cacheDir.equals(defaultCacheDir(name)) ? null : cacheDir;
        return new AgentConfig(brokerEndpoint, n, threads, slots, dir, advertiseHost, heartbeatInterval, clock, cacheBytes, peerIdle);
    }

    public AgentConfig withThreads(int n) {
        return new AgentConfig(brokerEndpoint, name, n, slots, cacheDir, advertiseHost, heartbeatInterval, clock, cacheBytes, peerIdle);
    }

    public AgentConfig withSlots(int n) {
        return new AgentConfig(brokerEndpoint, name, threads, n, cacheDir, advertiseHost, heartbeatInterval, clock, cacheBytes, peerIdle);
    }

    public AgentConfig withCacheDir(Path dir) {
        return new AgentConfig(brokerEndpoint, name, threads, slots, dir, advertiseHost, heartbeatInterval, clock, cacheBytes, peerIdle);
    }

    public AgentConfig withAdvertiseHost(String host) {
        return new AgentConfig(brokerEndpoint, name, threads, slots, cacheDir, host, heartbeatInterval, clock, cacheBytes, peerIdle);
    }

    public AgentConfig withHeartbeatInterval(Duration d) {
        return new AgentConfig(brokerEndpoint, name, threads, slots, cacheDir, advertiseHost, d, clock, cacheBytes, peerIdle);
    }

    public AgentConfig withClock(LongSupplier nanos) {
        return new AgentConfig(brokerEndpoint, name, threads, slots, cacheDir, advertiseHost, heartbeatInterval, nanos, cacheBytes, peerIdle);
    }

    public AgentConfig withPeerIdle(Duration d) {
        return new AgentConfig(brokerEndpoint, name, threads, slots, cacheDir, advertiseHost, heartbeatInterval, clock, cacheBytes, d);
    }
}
