package io.edgeslice.broker;

import java.time.Duration;

/** Heartbeat and lease constants, named once (Paranoid Pirate style). */
public final class Liveness {
    /** Agents and the broker each send a heartbeat this often. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Silence of this many intervals makes an agent suspect (a TCP disconnect does so at once). */
    public static final int SUSPECT_AFTER_MISSED = 2;
    /** Silence of this many intervals makes an agent lost; its tasks are dispatched again. */
    public static final int LOST_AFTER_MISSED = 3;
    /**
     * An agent whose connection closed and that is not heard from again within this is lost at once,
     * without waiting for the missed heartbeats (a killed process closes its sockets).
     */
    public static final Duration RECONNECT_GRACE = Duration.ofMillis(1500);
    /** A dispatched task not mentioned in the agent's heartbeats for this long is dispatched again. */
    public static final Duration LEASE = Duration.ofSeconds(5);
    /** How often the loop checks liveness, leases and deadlines. */
    public static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);
    /**
     * A gap this long between two turns of the broker's loop (which turns at least every sweep
     * interval) is the broker's own stall: the agents' silence during it is not counted. Between
     * the silence that makes an agent suspect and the one that makes it lost: a shorter stall can
     * at most make agents suspect, which their next heartbeat undoes.
     */
    public static final Duration STALL = Duration.ofMillis(2500);
    /** Dispatches of one task before it fails for good. */
    public static final int MAX_ATTEMPTS = 3;

    private Liveness() {
    }
}
