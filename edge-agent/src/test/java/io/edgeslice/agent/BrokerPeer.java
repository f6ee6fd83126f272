package io.edgeslice.agent;

import static org.assertj.core.api.Assertions.fail;

import com.github.luben.zstd.Zstd;
import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Command;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The broker's side of the agent protocol on a real ROUTER socket, for tests (the broker module is
 * not ready; this is a protocol peer, not a stand-in for agent code). Its own thread owns the
 * socket: it records every message by command, sends a HEARTBEAT to every registered agent, answers
 * anything else from an agent it does not know with DISCONNECT (as the broker does), serves FETCH
 * from registered model files and sends what the test queues.
 */
final class BrokerPeer implements AutoCloseable {
    static final Duration HEARTBEAT = Duration.ofMillis(100);

    /** A message from an agent, with the socket identity it came from. */
    record Received(byte[] identity, Message message, long atNanos) {
        String id() {
            return HexFormat.of().formatHex(identity);
        }
    }

    private record Outgoing(byte[] identity, List<ByteBuffer> frames) {
    }

    private record Held(byte[] identity, Message.Fetch fetch) {
    }

    private final int port;
    private final ZContext ctx = new ZContext(1);
    private final Thread thread;
    private volatile boolean running = true;
    private final Map<Command, LinkedBlockingQueue<Received>> inbox = new ConcurrentHashMap<>();
    private final Map<Command, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Message.Fetch> fetches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Outgoing> outgoing = new ConcurrentLinkedQueue<>();
    private final Map<String, byte[]> models = new ConcurrentHashMap<>();
    private final Set<Long> corruptOnce = ConcurrentHashMap.newKeySet();
    private final AtomicInteger undecodable = new AtomicInteger();
    /** Compress chunks with zstd. */
    volatile boolean zstd;
    /** Keep FETCH requests unanswered until this is cleared. */
    volatile boolean hold;
    /** Send no HEARTBEAT (tests that drive the agent's clock themselves). */
    volatile boolean quiet;
    /** Answer nothing and send nothing; messages are still recorded. */
    volatile boolean silent;

    BrokerPeer(int port) {
        this.port = port;
        CountDownLatch bound = new CountDownLatch(1);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        thread = new Thread(() -> run(bound, failure), "broker-peer-" + port);
        thread.setDaemon(true);
        thread.start();
        try {
            bound.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            ctx.close();
            throw failure.get();
        }
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Serves this file to FETCH under its SHA-256; returns the hash. */
    String serve(Path model) {
        String hash = TestModels.sha256(model);
        models.put(hash, TestModels.bytes(model));
        return hash;
    }

    /** Serves these bytes under a hash of the test's choosing (possibly a wrong one). */
    void serve(String hash, byte[] bytes) {
        models.put(hash, bytes);
    }

    /** The chunk at this offset goes out once with a wrong CRC32C. */
    void corruptOnce(long offset) {
        corruptOnce.add(offset);
    }

    void send(byte[] identity, Message m) {
        sendRaw(identity, Codec.encode(m));
    }

    void sendRaw(byte[] identity, List<ByteBuffer> frames) {
        outgoing.add(new Outgoing(identity, frames));
    }

    /** The next message of this command, failing the test after the timeout. */
    Received next(Command c, Duration timeout) throws InterruptedException {
        Received r = queue(c).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            fail("no " + c + " from the agent within " + timeout.toMillis() + " ms; received so far: " + counts + ", undecodable: " + undecodable
                    + ", peer thread alive: " + thread.isAlive());
        }
        return r;
    }

    /** The next message of this command if one comes within the timeout, else null. */
    Received poll(Command c, Duration timeout) throws InterruptedException {
        return queue(c).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int count(Command c) {
        return counts.computeIfAbsent(c, k -> new AtomicInteger()).get();
    }

    /** Every FETCH received, in order. */
    List<Message.Fetch> fetches() {
        return new ArrayList<>(fetches);
    }

    int undecodable() {
        return undecodable.get();
    }

    private LinkedBlockingQueue<Received> queue(Command c) {
        return inbox.computeIfAbsent(c, k -> new LinkedBlockingQueue<>());
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ctx.close();
    }

    private void run(CountDownLatch bound, AtomicReference<RuntimeException> failure) {
        ZMQ.Socket router;
        try {
            router = ctx.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setRouterMandatory(true);
            router.bind(endpoint());
        } catch (RuntimeException e) {
            failure.set(e);
            bound.countDown();
            return;
        }
        bound.countDown();
        Map<String, byte[]> known = new LinkedHashMap<>();
        List<Held> held = new ArrayList<>();
        long seq = 0;
        long nextHeartbeat = System.nanoTime();
        try (ZMQ.Poller poller = ctx.createPoller(1)) {
            poller.register(router, ZMQ.Poller.POLLIN);
            while (running) {
                poller.poll(10);
                for (List<ByteBuffer> frames; (frames = Wire.receive(router, ZMQ.DONTWAIT)) != null; ) {
                    byte[] id = new byte[frames.get(0).remaining()];
                    frames.get(0).get(id);
                    Message m;
                    try {
                        m = Codec.decode(frames.subList(1, frames.size()));
                    } catch (ProtocolException e) {
                        undecodable.incrementAndGet();
                        continue;
                    }
                    String key = HexFormat.of().formatHex(id);
                    if (m instanceof Message.Ready) {
                        known.put(key, id);
                    } else if (!known.containsKey(key) && !silent) {
                        Wire.send(router, id, new Message.Disconnect("unknown agent"), true);
                    }
                    counts.computeIfAbsent(m.command(), k -> new AtomicInteger()).incrementAndGet();
                    if (m instanceof Message.Fetch f) {
                        fetches.add(f);
                        if (!silent) {
                            held.add(new Held(id, f));
                        }
                    }
                    queue(m.command()).add(new Received(id, m, System.nanoTime()));
                }
                if (!hold) {
                    held.forEach(h -> answer(router, h));
                    held.clear();
                }
                for (Outgoing o; (o = outgoing.poll()) != null; ) {
                    Wire.send(router, o.identity(), o.frames(), true);
                }
                if (!quiet && !silent && System.nanoTime() - nextHeartbeat >= 0) {
                    for (byte[] id : known.values()) {
                        Wire.send(router, id, Message.Heartbeat.fromBroker(++seq), true);
                    }
                    nextHeartbeat = System.nanoTime() + HEARTBEAT.toNanos();
                }
            }
        } finally {
            router.close();
        }
    }

    private void answer(ZMQ.Socket router, Held h) {
        Message.Fetch f = h.fetch();
        byte[] model = models.get(f.modelHash());
        if (model == null) {
            Wire.send(router, h.identity(), new Message.Failed(Message.NO_TASK, 0, ErrorCode.MODEL_MISSING,
                    "model " + f.modelHash() + " is not stored on this broker"), true);
            return;
        }
        int len = (int) Math.max(0, Math.min(f.maxLength(), model.length - f.offset()));
        byte[] raw = Arrays.copyOfRange(model, (int) f.offset(), (int) f.offset() + len);
        int crc = Hashing.crc32c(ByteBuffer.wrap(raw));
        if (corruptOnce.remove(f.offset())) {
            crc ^= 1;
        }
        boolean compress = zstd;
        byte[] payload = compress ? Zstd.compress(raw, 3) : raw;
        Wire.send(router, h.identity(), new Message.Chunk(f.modelHash(), f.offset(), model.length,
                compress ? Message.Chunk.CODEC_ZSTD : Message.Chunk.CODEC_NONE, len, crc, ByteBuffer.wrap(payload)), true);
    }
}
