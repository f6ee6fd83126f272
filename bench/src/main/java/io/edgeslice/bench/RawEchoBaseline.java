package io.edgeslice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The same hops as a task without any EdgeSlice code: client DEALER → relay ROUTER → echo DEALER →
 * relay → client, over TCP loopback, with a window of messages in flight. Its round trips per
 * second bound what a broker built on this transport can reach.
 */
final class RawEchoBaseline {
    private static final byte[] HELLO = {'H', 'I'};
    private static final int POLL_MS = 100;
    /**
     * JeroMQ 0.6.0 leaves about 1% of fresh outgoing connections without a handshake until the
     * handshake timer (30 s by default) reconnects them (zeromq/jeromq PR #1022); our connecting
     * sockets retry after 1 s instead.
     */
    static final int HANDSHAKE_MS = 1_000;

    private final ZContext ctx = new ZContext();
    private volatile boolean running = true;
    private volatile int peersKnown;

    private RawEchoBaseline() {
    }

    /** Round trips per second of {@code messages} 4-byte messages, {@code window} in flight, over {@code echoes} echo peers. */
    static double run(int messages, int window, int echoes) throws InterruptedException {
        return new RawEchoBaseline().measure(messages, window, echoes);
    }

    private double measure(int messages, int window, int echoes) throws InterruptedException {
        ZMQ.Socket relay = socket(SocketType.ROUTER);
        String endpoint = "tcp://127.0.0.1:" + relay.bindToRandomPort("tcp://127.0.0.1");
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> relay(relay), "raw-relay"));
        for (int i = 0; i < echoes; i++) {
            threads.add(new Thread(() -> echo(endpoint), "raw-echo-" + i));
        }
        threads.forEach(Thread::start);
        ZMQ.Socket client = socket(SocketType.DEALER);
        client.connect(endpoint);
        try {
            byte[] payload = {1, 2, 3, 4};
            while (peersKnown < echoes) {
                Thread.sleep(10);
            }
            client.send(payload, 0);
            while (client.recv(0) == null) {
                // first round trip: the connection is up before the clock starts
            }
            long start = System.nanoTime();
            int sent = 0;
            for (int received = 0; received < messages; received++) {
                while (sent < messages && sent - received < window) {
                    client.send(payload, 0);
                    sent++;
                }
                client.recv(0);
            }
            return messages / ((System.nanoTime() - start) / 1e9);
        } finally {
            running = false;
            for (Thread t : threads) {
                t.join(2_000);
            }
            ctx.close();
        }
    }

    private ZMQ.Socket socket(SocketType type) {
        ZMQ.Socket s = ctx.createSocket(type);
        s.setSndHWM(100_000);
        s.setRcvHWM(100_000);
        s.setLinger(0);
        s.setReceiveTimeOut(POLL_MS);
        s.setHandshakeIvl(HANDSHAKE_MS);
        return s;
    }

    private void relay(ZMQ.Socket relay) {
        List<byte[]> peers = new ArrayList<>();
        int next = 0;
        while (running) {
            ZMsg m = ZMsg.recvMsg(relay);
            if (m == null) {
                continue;
            }
            byte[] from = m.pop().getData();
            if (m.size() == 1 && Arrays.equals(m.peek().getData(), HELLO)) {
                peers.add(from);
                peersKnown = peers.size();
            } else if (m.size() == 2) { // an echo's answer [client id, payload] goes back to that client
                m.send(relay);
            } else { // a client's request goes to the next echo peer, the client's id in front
                m.push(from);
                m.push(peers.get(next++ % peers.size()));
                m.send(relay);
            }
        }
    }

    private void echo(String endpoint) {
        ZMQ.Socket s = socket(SocketType.DEALER);
        s.connect(endpoint);
        s.send(HELLO, 0);
        while (running) {
            ZMsg m = ZMsg.recvMsg(s);
            if (m != null) {
                m.send(s);
            }
        }
    }
}
