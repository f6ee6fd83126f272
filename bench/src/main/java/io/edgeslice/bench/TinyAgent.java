package io.edgeslice.bench;

import io.edgeslice.protocol.Codec;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.SocketPoller;
import io.edgeslice.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The agent side of the protocol and nothing else: READY, a HEARTBEAT every second, and a RESULT
 * echoing the first input tensor for every TASK, at once. Measures what the broker costs, not
 * inference. Owns its socket on a thread of its own.
 */
final class TinyAgent implements AutoCloseable {
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ZContext context;
    private final String endpoint;
    private final String name;
    private final int slots;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long tasksDone;

    TinyAgent(ZContext context, String endpoint, String name, int slots) {
        this.context = context;
        this.endpoint = endpoint;
        this.name = name;
        this.slots = slots;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    long tasksDone() {
        return tasksDone;
    }

    private void run() {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        socket.setIdentity(name.getBytes(StandardCharsets.UTF_8));
        socket.setLinger(0);
        socket.setSndHWM(100_000);
        socket.setRcvHWM(100_000);
        socket.setHandshakeIvl(1_000); // see RawEchoBaseline.HANDSHAKE_MS
        socket.connect(endpoint);
        long seq = 0;
        long done = 0;
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(socket);
            ready(socket);
            long nextHeartbeat = System.nanoTime();
            while (running) {
                long now = System.nanoTime();
                if (now - nextHeartbeat >= 0) {
                    Wire.send(socket, null, new Message.Heartbeat(seq++, 0, 0, 0, 0, List.of(), List.of(), done, 0), false);
                    nextHeartbeat = now + HEARTBEAT_NANOS;
                }
                poller.poll(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(nextHeartbeat - now))));
                for (List<ByteBuffer> frames; (frames = Wire.receive(socket, ZMQ.DONTWAIT)) != null; ) {
                    Message m = Codec.decode(frames);
                    if (m instanceof Message.Task t) {
                        Message.Result r = new Message.Result(t.taskId(), t.attempt(), name, 1, List.of(t.inputs().get(0).withName("y")));
                        Wire.send(socket, null, r, false);
                        tasksDone = ++done;
                    } else if (m instanceof Message.Disconnect) {
                        ready(socket); // the broker does not know us (yet): register again
                    }
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                throw e;
            } // else the context closed under us while stopping
        } finally {
            socket.close();
        }
    }

    private void ready(ZMQ.Socket socket) {
        Message.Capabilities caps = new Message.Capabilities("localhost", System.getProperty("os.arch"), System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), 0, List.of("CPU"), slots, "");
        Wire.send(socket, null, new Message.Ready(name, System.nanoTime(), "", caps), false);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
