package io.edgeslice.client;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Hosts;
import io.edgeslice.protocol.LinkProber;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.SocketPoller;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One {@link EdgeSliceClient#measureLinks} call, one measurement at a time so that none shares the
 * network with another: the client's link to each agent (the client probes the agent's data
 * endpoint itself), each agent's link to the client (LINK_PROBE naming the ROUTER this session
 * binds, which answers the agent's probes), and each agent's link to every other agent.
 */
final class LinkSession {
    private static final Logger log = LoggerFactory.getLogger(LinkSession.class);
    private static final int POLL_MS = 20;

    private final ZContext ctx;
    private final List<Message.AgentRow> agents;
    private final String clientName;
    private final int probeBytes;
    private final Consumer<MeasureProgress> progress;
    private final Map<String, ZMQ.Socket> dealers = new LinkedHashMap<>();
    private ZMQ.Socket router;
    private int routerPort;
    private int done;
    private int total;

    LinkSession(ZContext ctx, List<Message.AgentRow> agents, String clientName, int probeBytes,
                Consumer<MeasureProgress> progress) {
        this.ctx = ctx;
        this.agents = List.copyOf(agents);
        this.clientName = clientName;
        this.probeBytes = probeBytes;
        this.progress = progress;
    }

    List<LinkSpeed> run(long deadline) {
        if (probeBytes < 1 || probeBytes > LinkProber.MAX_PROBE_BYTES) {
            throw new IllegalArgumentException("probe size " + probeBytes + " bytes is outside 1 to " + LinkProber.MAX_PROBE_BYTES);
        }
        List<LinkSpeed> out = new ArrayList<>();
        total = agents.size() * (agents.size() + 1);
        router = ctx.createSocket(SocketType.ROUTER);
        try {
            router.setLinger(0);
            router.setMaxMsgSize(LinkProber.MAX_PROBE_BYTES + 4096L);
            routerPort = router.bindToRandomPort("tcp://*");
            for (Message.AgentRow a : agents) {
                progress(clientName + " -> " + a.name());
                LinkProber.Measurement m = probe(() -> new LinkProber(dealer(a), UUID.randomUUID(), "agent " + a.name() + " at " + a.dataEndpoint()).measure(probeBytes));
                out.add(new LinkSpeed(clientName, a.name(), m.mbps(), m.ms()));
                out.add(ask(a, routerEndpointFor(a), clientName, deadline));
            }
            for (Message.AgentRow from : agents) {
                for (Message.AgentRow to : agents) {
                    if (from != to) {
                        out.add(ask(from, to.dataEndpoint(), to.name(), deadline));
                    }
                }
            }
            return out;
        } finally {
            dealers.values().forEach(ZMQ.Socket::close);
            router.close();
        }
    }

    private static LinkProber.Measurement probe(java.util.function.Supplier<LinkProber.Measurement> measurement) {
        try {
            return measurement.get();
        } catch (ProtocolException e) {
            throw new ClientException(e.code(), e.getMessage());
        }
    }

    /** LINK_PROBE to {@code from}, answering probes on the client's ROUTER until LINK or FAILED comes back. */
    private LinkSpeed ask(Message.AgentRow from, String target, String targetName, long deadline) {
        progress(from.name() + " -> " + targetName);
        UUID id = UUID.randomUUID();
        ZMQ.Socket s = dealer(from);
        Wire.send(s, null, new Message.LinkProbe(id, target, probeBytes), false);
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(router);
            poller.register(s);
            while (System.nanoTime() - deadline < 0) {
                poller.poll(POLL_MS);
                answerProbes();
                for (Message m; (m = Wire.nextMessage(s, false,
                        e -> log.warn("ignoring a malformed message from agent {}: {}", from.name(), e.getMessage()))) != null; ) {
                    if (m instanceof Message.Link l && l.requestId().equals(id)) {
                        log.debug("link {} -> {}: {} Mbit/s, {} ms", from.name(), targetName, String.format("%.1f", l.mbps()), String.format("%.3f", l.ms()));
                        return new LinkSpeed(from.name(), targetName, l.mbps(), l.ms());
                    }
                    if (m instanceof Message.Failed f && f.taskId().equals(id)) {
                        throw new ClientException(f.code(), "measuring the link " + from.name() + " -> " + targetName + " failed: " + f.message());
                    }
                }
            }
        }
        throw new ClientException(null, "measuring the link " + from.name() + " -> " + targetName + " timed out");
    }

    /**
     * The client's ROUTER as {@code a} reaches it: the address of the interface that routes to the
     * agent's data endpoint (the broker may be on this machine, reached over loopback, while the
     * agent is not, as with the console's embedded broker).
     */
    private String routerEndpointFor(Message.AgentRow a) {
        return "tcp://" + Hosts.advertised(null, a.dataEndpoint()) + ":" + routerPort;
    }

    /** The client's ROUTER is a data endpoint like an agent's: every PROBE is acknowledged at once. */
    private void answerProbes() {
        for (List<ByteBuffer> frames; (frames = Wire.receive(router, ZMQ.DONTWAIT)) != null; ) {
            byte[] identity = new byte[frames.get(0).remaining()];
            frames.get(0).duplicate().get(identity);
            try {
                if (Codec.decode(frames.subList(1, frames.size())) instanceof Message.Probe p) {
                    Wire.send(router, identity, LinkProber.answer(p), true);
                }
            } catch (ProtocolException e) {
                log.warn("ignoring a malformed message on the probe endpoint: {}", e.getMessage());
            }
        }
    }

    private ZMQ.Socket dealer(Message.AgentRow a) {
        return dealers.computeIfAbsent(a.name(), n -> {
            ZMQ.Socket s = ctx.createSocket(SocketType.DEALER);
            s.setLinger(0);
            s.setHandshakeIvl(1000);
            s.connect(a.dataEndpoint());
            return s;
        });
    }

    private void progress(String link) {
        progress.accept(new MeasureProgress(link, "measuring", done++, total));
    }
}
