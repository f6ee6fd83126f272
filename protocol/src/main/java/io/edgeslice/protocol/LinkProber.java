package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.zeromq.ZMQ;

/**
 * Measures a link by round trips of PROBE messages to a data endpoint, which answers each with
 * PROBE_ACK (docs/protocol.md 5.9): small probes give the latency, large ones the bandwidth. Used
 * by agents (LINK_PROBE) and by the client for its own links, so both measure alike. Blocking; call
 * it on the thread that owns the socket.
 */
public final class LinkProber {
    /** The largest probe an agent sends or a client asks for. */
    public static final int MAX_PROBE_BYTES = 16 << 20;
    /** Probe size when the caller does not choose: large enough to dwarf the round trip on a LAN. */
    public static final int DEFAULT_PROBE_BYTES = 2 << 20;
    /** How long the first (connecting) probe may wait for its answer before the peer counts as unreachable. */
    public static final int CONNECT_TIMEOUT_MS = 3000;
    private static final int SMALL_ROUNDS = 7;
    private static final int LARGE_ROUNDS = 5;
    /** A large probe may take this long per MiB (a 1 Mbit/s link needs ~8.4 s per MiB). */
    private static final int LARGE_TIMEOUT_MS_PER_MIB = 10_000;

    /** Bandwidth in Mbit/s and one-way latency in ms. */
    public record Measurement(double mbps, double ms) {
    }

    private final ZMQ.Socket socket;
    private final UUID requestId;
    private final String target;
    private int seq;

    /** @param socket a DEALER connected to {@code target}, used for nothing else meanwhile */
    public LinkProber(ZMQ.Socket socket, UUID requestId, String target) {
        this.socket = socket;
        this.requestId = requestId;
        this.target = target;
    }

    /**
     * One warm-up probe (it waits for the connection), {@value #SMALL_ROUNDS} empty probes, then
     * one warm-up and {@value #LARGE_ROUNDS} probes of {@code probeBytes}. The fastest round trips
     * are kept (load on either end only ever adds time, as with ping): latency is half the fastest
     * empty round trip; bandwidth is the probe's bits over the fastest large round trip minus the
     * fastest empty one, that difference taken as at least a tenth of the large round trip (below
     * that the link is too fast for the probe size to tell, and the estimate stays finite).
     *
     * @throws ProtocolException UNREACHABLE when a probe is not answered in time
     */
    public Measurement measure(int probeBytes) {
        if (probeBytes < 1 || probeBytes > MAX_PROBE_BYTES) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "probe size " + probeBytes + " bytes is outside 1 to " + MAX_PROBE_BYTES);
        }
        ByteBuffer empty = ByteBuffer.allocate(0);
        roundTrip(empty, CONNECT_TIMEOUT_MS);
        double[] small = new double[SMALL_ROUNDS];
        for (int i = 0; i < small.length; i++) {
            small[i] = roundTrip(empty, CONNECT_TIMEOUT_MS);
        }
        ByteBuffer payload = ByteBuffer.allocate(probeBytes);
        int largeTimeout = (int) Math.min(Integer.MAX_VALUE, CONNECT_TIMEOUT_MS + (long) LARGE_TIMEOUT_MS_PER_MIB * Math.max(1, probeBytes >> 20));
        roundTrip(payload, largeTimeout);
        double[] large = new double[LARGE_ROUNDS];
        for (int i = 0; i < large.length; i++) {
            large[i] = roundTrip(payload, largeTimeout);
        }
        double rttSmall = min(small);
        double rttLarge = min(large);
        double transferMs = Math.max(rttLarge - rttSmall, rttLarge / 10);
        return new Measurement(probeBytes * 8.0 / (transferMs * 1000.0), rttSmall / 2);
    }

    /** Round trip in ms of one probe. */
    private double roundTrip(ByteBuffer payload, int timeoutMs) {
        int mySeq = ++seq;
        long t0 = System.nanoTime();
        if (!Wire.send(socket, null, new Message.Probe(requestId, mySeq, payload), false)) {
            throw new ProtocolException(ErrorCode.UNREACHABLE, "cannot send a probe to " + target);
        }
        long deadline = t0 + timeoutMs * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new ProtocolException(ErrorCode.UNREACHABLE, "link probe to " + target + " timed out: probe " + mySeq + " of "
                        + payload.remaining() + " bytes not answered within " + timeoutMs + " ms");
            }
            socket.setReceiveTimeOut((int) left);
            List<ByteBuffer> frames = Wire.receive(socket, 0);
            if (frames == null) {
                continue;
            }
            Message m = Codec.decode(frames);
            if (m instanceof Message.ProbeAck a && a.requestId().equals(requestId) && a.seq() == mySeq) {
                return (System.nanoTime() - t0) / 1e6;
            }
            if (m instanceof Message.Failed f) {
                throw new ProtocolException(f.code(), target + " refused the probe: " + f.message());
            }
            // an acknowledgement of an earlier probe that timed out: ignore it
        }
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }

    /** A data endpoint's answer to a probe: its sequence number and how many payload bytes arrived. */
    public static Message.ProbeAck answer(Message.Probe probe) {
        return new Message.ProbeAck(probe.requestId(), probe.seq(), probe.payload().remaining());
    }
}
