package io.edgeslice.agent;

import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * The DEALER to the broker, Paranoid Pirate style: READY after every completed ZMTP handshake (a
 * new socket or ZeroMQ's own reconnect) and whenever the broker asks, HEARTBEAT every interval, and when nothing has come from the broker for
 * {@link AgentConfig#LIVENESS} intervals the socket is closed and a new one opened after a backoff
 * of {@link #BACKOFF_INITIAL} doubling up to {@link #BACKOFF_MAX}. Results that cannot go out are
 * kept, up to {@link #OUTBOX_LIMIT}, until the link is up again. Control thread only.
 */
final class BrokerLink {
    static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(32);
    static final int HWM = 1000;
    /**
     * A ZMTP handshake that takes longer is abandoned and retried. Under CPU load JeroMQ now and
     * then stalls a handshake (ROUTER accepted, DEALER connected, nothing flows); its default of
     * 30 s would keep the agent unregistered that long.
     */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    static final int OUTBOX_LIMIT = 256;
    /** Long enough for a closing agent's DISCONNECT to leave, short enough not to delay shutdown. */
    private static final int CLOSE_LINGER_MS = 500;
    private static final Logger log = LoggerFactory.getLogger(BrokerLink.class);

    /** What the link needs from the agent. */
    interface Events {
        Message.Ready ready();

        Message.Heartbeat heartbeat();

        /** READY went out: requests that died with an old connection can be made again. */
        void registered(long nowNanos);
    }

    private final ZContext ctx;
    private final String endpoint;
    private final long intervalNanos;
    private final Events events;
    private final SecureRandom random = new SecureRandom();
    private final ArrayDeque<List<ByteBuffer>> outbox = new ArrayDeque<>();
    private ZMQ.Socket socket;
    /** The socket's monitor: handshakes and disconnects tell when READY is due. */
    private ZMQ.Socket monitor;
    private boolean readyPending;
    private boolean registered;
    private long lastHeard;
    private long nextHeartbeat;
    private boolean heartbeatNow;
    private long reconnectAt;
    private long backoffNanos = BACKOFF_INITIAL.toNanos();

    BrokerLink(ZContext ctx, String endpoint, Duration interval, Events events) {
        this.ctx = ctx;
        this.endpoint = endpoint;
        this.intervalNanos = interval.toNanos();
        this.events = events;
    }

    /** The current socket, or null while backing off. */
    ZMQ.Socket socket() {
        return socket;
    }

    /** READY went out on the current socket, so requests and results can follow. */
    boolean registered() {
        return registered;
    }

    /** Any message from the broker is a sign of life. */
    void heard(long nowNanos) {
        lastHeard = nowNanos;
        backoffNanos = BACKOFF_INITIAL.toNanos();
    }

    /** The broker sent DISCONNECT (it does not know us): READY again on this socket. */
    void registerAgain() {
        readyPending = socket != null;
        registered = false;
    }

    /**
     * Does what is due: reconnect, READY, HEARTBEAT, liveness, undelivered results. Returns true if
     * the socket was opened or closed, so the caller's poller must change.
     */
    boolean tick(long nowNanos) {
        if (socket == null) {
            if (nowNanos - reconnectAt >= 0) {
                open(nowNanos);
                return true;
            }
            return false;
        }
        connectionEvents();
        if (nowNanos - lastHeard > AgentConfig.LIVENESS * intervalNanos) {
            log.warn("no word from broker {} for {} ms; reconnecting in {} ms", endpoint, (nowNanos - lastHeard) / 1_000_000, backoffNanos / 1_000_000);
            closeSocket(0);
            reconnectAt = nowNanos + backoffNanos;
            backoffNanos = Math.min(backoffNanos * 2, BACKOFF_MAX.toNanos());
            return true;
        }
        if (readyPending && Wire.send(socket, null, events.ready(), true)) {
            readyPending = false;
            registered = true;
            nextHeartbeat = nowNanos + intervalNanos;
            events.registered(nowNanos);
        }
        if (registered && (heartbeatNow || nowNanos - nextHeartbeat >= 0)) {
            heartbeatNow = false;
            Wire.send(socket, null, events.heartbeat(), true); // one that cannot go now is skipped, not queued
            nextHeartbeat = nowNanos + intervalNanos;
        }
        flush();
        return false;
    }

    /** The next heartbeat goes out on the next tick: news the broker waits for (a model is now cached). */
    void heartbeatSoon() {
        heartbeatNow = true;
    }

    /** Sends now or not at all (requests and replies, which are repeated or moot later). */
    boolean send(Message m) {
        return registered && Wire.send(socket, null, m, true);
    }

    /** Sends a task's outcome now, or keeps it until the link is up again. */
    void sendOrKeep(List<ByteBuffer> frames) {
        if (outbox.isEmpty() && registered && Wire.send(socket, null, frames, true)) {
            return;
        }
        if (outbox.size() >= OUTBOX_LIMIT) {
            outbox.removeFirst();
            log.warn("dropped the oldest undelivered result: more than {} are waiting for the broker", OUTBOX_LIMIT);
        }
        outbox.addLast(frames);
    }

    /** Graceful close: what is pending, then DISCONNECT, with a short linger so they leave. */
    void close(String reason) {
        if (socket == null) {
            return;
        }
        flush();
        if (registered) {
            Wire.send(socket, null, new Message.Disconnect(reason), true);
        }
        closeSocket(CLOSE_LINGER_MS);
    }

    private void open(long nowNanos) {
        byte[] identity = new byte[16];
        random.nextBytes(identity);
        if (identity[0] == 0) {
            identity[0] = 1; // ZeroMQ reserves identities that start with a zero byte
        }
        ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
        s.setIdentity(identity);
        s.setLinger(0);
        // JeroMQ's naming is inverted: false means libzmq ZMQ_IMMEDIATE=1, nothing queues while there is no
        // connection (stale heartbeats never pile up for a dead broker)
        s.setImmediate(false);
        s.setSndHWM(HWM);
        s.setRcvHWM(HWM);
        // Wire.send applies DONTWAIT only to an identity frame, which a DEALER has none of; a zero
        // send timeout makes every send on this socket non-blocking all the same
        s.setSendTimeOut(0);
        s.setHandshakeIvl((int) HANDSHAKE_TIMEOUT.toMillis());
        String monitorEndpoint = "inproc://edgeslice-link-" + HexFormat.of().formatHex(identity);
        s.monitor(monitorEndpoint, ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED);
        monitor = ctx.createSocket(SocketType.PAIR);
        monitor.connect(monitorEndpoint);
        s.connect(endpoint);
        socket = s;
        readyPending = false; // until the handshake completes: a READY queued earlier could die with a stalled connection
        registered = false;
        lastHeard = nowNanos;
        log.info("connecting to broker {} (socket {})", endpoint, HexFormat.of().formatHex(identity, 0, 4));
    }

    /**
     * A completed handshake is a (re)connect: READY is due, and nothing else goes out before it.
     * After a disconnect ZeroMQ reconnects this same socket by itself.
     */
    private void connectionEvents() {
        for (ZEvent e; (e = ZEvent.recv(monitor, ZMQ.DONTWAIT)) != null; ) {
            if (e.getEvent() == ZMonitor.Event.HANDSHAKE_PROTOCOL) {
                readyPending = true;
                registered = false;
            } else if (e.getEvent() == ZMonitor.Event.DISCONNECTED) {
                if (registered) {
                    log.info("lost the connection to broker {}; reconnecting", endpoint);
                }
                readyPending = false;
                registered = false;
            }
        }
    }

    private void closeSocket(int lingerMillis) {
        socket.monitor(null, 0);
        monitor.close();
        monitor = null;
        socket.setLinger(lingerMillis);
        socket.close();
        socket = null;
        readyPending = false;
        registered = false;
    }

    private void flush() {
        while (!outbox.isEmpty() && registered && Wire.send(socket, null, outbox.peekFirst(), true)) {
            outbox.removeFirst();
        }
    }
}
