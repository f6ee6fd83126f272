package io.edgeslice.client;

import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SocketPoller;
import io.edgeslice.protocol.Wire;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * One {@link EdgeSliceClient#profile} call: sends PROFILE to every agent's data endpoint and
 * collects PROFILED. Agents on the same host are profiled one after the other (their runs would
 * slow each other down and the profiles would lie); agents on different hosts at once. A request
 * that hears nothing for a while is sent again (the agent joins it to the one under way).
 */
final class ProfileSession {
    private static final Logger log = LoggerFactory.getLogger(ProfileSession.class);
    private static final long SILENCE_NANOS = 15_000_000_000L;
    private static final int POLL_MS = 50;

    /** One agent's request. */
    private static final class Ask {
        final Message.AgentRow agent;
        final UUID id = UUID.randomUUID();
        ZMQ.Socket socket;
        long lastHeard;

        Ask(Message.AgentRow agent) {
            this.agent = agent;
        }
    }

    private final ZContext ctx;
    private final Message.ProfileRequest template;
    private final Consumer<MeasureProgress> progress;
    private final Map<String, Deque<Ask>> queuedByHost = new LinkedHashMap<>();
    private final List<Ask> running = new ArrayList<>();
    private final Map<String, AgentProfile> done = new LinkedHashMap<>();

    ProfileSession(ZContext ctx, List<Message.AgentRow> agents, Message.ProfileRequest template, Consumer<MeasureProgress> progress) {
        this.ctx = ctx;
        this.template = template;
        this.progress = progress;
        for (Message.AgentRow a : agents) {
            if (a.dataEndpoint().isEmpty()) {
                throw new IllegalArgumentException("agent " + a.name() + " advertises no data endpoint");
            }
            queuedByHost.computeIfAbsent(a.host(), h -> new ArrayDeque<>()).add(new Ask(a));
        }
    }

    List<AgentProfile> run(long deadline) {
        List<AgentProfile> out = new ArrayList<>();
        try {
            queuedByHost.keySet().forEach(this::startNext);
            while (!running.isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new ClientException(null, "profiling timed out; no answer yet from " + running.stream().map(a -> a.agent.name()).toList());
                }
                try (SocketPoller poller = new SocketPoller()) {
                    running.forEach(a -> poller.register(a.socket));
                    poller.poll(POLL_MS);
                }
                for (Ask a : new ArrayList<>(running)) {
                    drain(a);
                    if (running.contains(a) && System.nanoTime() - a.lastHeard > SILENCE_NANOS) {
                        log.info("no word from agent {} for {} s; sending PROFILE again", a.agent.name(), SILENCE_NANOS / 1_000_000_000L);
                        send(a);
                    }
                }
            }
            done.values().forEach(out::add);
            return out;
        } finally {
            running.forEach(a -> a.socket.close());
        }
    }

    private void startNext(String host) {
        Ask a = queuedByHost.get(host).poll();
        if (a == null) {
            return;
        }
        a.socket = ctx.createSocket(SocketType.DEALER);
        a.socket.setLinger(0);
        a.socket.setHandshakeIvl(1000);
        a.socket.connect(a.agent.dataEndpoint());
        running.add(a);
        progress.accept(new MeasureProgress(a.agent.name(), "asking for a profile", 0, 1));
        send(a);
    }

    private void send(Ask a) {
        a.lastHeard = System.nanoTime();
        Wire.send(a.socket, null, new Message.ProfileRequest(a.id, template.modelHash(), template.modelSize(), template.runs(),
                template.inputShapes()), false);
    }

    private void drain(Ask a) {
        for (Message m; (m = Wire.nextMessage(a.socket, false,
                e -> log.warn("ignoring a malformed message from agent {}: {}", a.agent.name(), e.getMessage()))) != null; ) {
            a.lastHeard = System.nanoTime();
            if (m instanceof Message.ProfileProgress p && p.requestId().equals(a.id)) {
                progress.accept(new MeasureProgress(a.agent.name(), p.step(), p.done(), p.total()));
            } else if (m instanceof Message.Profiled p && p.requestId().equals(a.id)) {
                if (p.cached()) { // a fresh profile's last PROFILE_PROGRESS said so already
                    progress.accept(new MeasureProgress(a.agent.name(), "profiled before, not measured again", 1, 1));
                }
                done.put(a.agent.name(), new AgentProfile(p.agent(), p.profileJson(), p.cached()));
                finish(a);
                return;
            } else if (m instanceof Message.Failed f && f.taskId().equals(a.id)) {
                throw new ClientException(f.code(), "agent " + a.agent.name() + " could not profile the model: " + f.message());
            }
        }
    }

    private void finish(Ask a) {
        running.remove(a);
        a.socket.close();
        startNext(a.agent.host());
    }
}
