package io.edgeslice.agent;

import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/** Agents and broker peers for one test, closed in reverse order afterwards. */
final class Fixture implements AutoCloseable {
    private final Path dir;
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    Fixture(Path dir) {
        this.dir = dir;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    BrokerPeer peer(int port) {
        BrokerPeer p = new BrokerPeer(port);
        open.push(p);
        return p;
    }

    BrokerPeer peer() {
        return peer(freePort());
    }

    /** One intra-op thread keeps results bit-identical to a one-thread reference engine. */
    AgentConfig config(int port) {
        return AgentConfig.of("tcp://127.0.0.1:" + port).withName("agent-under-test").withThreads(1).withCacheDir(dir.resolve("cache"));
    }

    EdgeAgent start(AgentConfig cfg) throws IOException {
        EdgeAgent a = new EdgeAgent(cfg);
        open.push(a);
        a.start();
        return a;
    }

    /** Closes something early (e.g. a broker that goes away); close() will not close it again. */
    void closeNow(AutoCloseable c) throws Exception {
        open.remove(c);
        c.close();
    }

    static Message.Task task(String modelHash, long modelSize, Tensor... inputs) {
        return new Message.Task(UUID.randomUUID(), 1, modelHash, modelSize, 0, List.of(inputs));
    }

    /** Closes everything, newest first; the first failure is rethrown after all were tried. */
    @Override
    public void close() {
        RuntimeException first = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                first = first != null ? first : new IllegalStateException("closing a test resource failed", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
