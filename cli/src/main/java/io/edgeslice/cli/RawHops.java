package io.edgeslice.cli;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The raw-socket baseline for a pipeline's hops: one JeroMQ DEALER sends a single frame of a
 * hop's size to a ROUTER in another context (its own I/O thread, as another process would have),
 * which receives it into a ready direct buffer; nothing else (no header, checksum, acknowledgement
 * or worker thread). Each send follows an idle pause, as a hop follows a stage's run, because
 * waking idle threads is part of what a hop costs.
 */
final class RawHops {
    private static final int ROUNDS = 15;
    /** The pause before each send or wake-up, about what a short stage's run leaves a hop's threads idle. */
    static final long IDLE_MS = 40;

    private RawHops() {
    }

    /**
     * Median microseconds from unparking a parked thread to its running, after an idle pause: a
     * hop wakes several threads (I/O threads, an agent's control thread and worker), and on a
     * virtual machine a CPU that went idle takes long to wake.
     */
    static double wakeUpMicros() throws InterruptedException {
        java.util.concurrent.SynchronousQueue<Long> handoff = new java.util.concurrent.SynchronousQueue<>();
        List<Double> micros = new ArrayList<>();
        Thread sleeper = new Thread(() -> {
            try {
                for (int i = 0; i < ROUNDS + 2; i++) {
                    long sent = handoff.take();
                    micros.add((System.nanoTime() - sent) / 1e3);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "edgeslice-bench-wake");
        sleeper.start();
        for (int i = 0; i < ROUNDS + 2; i++) {
            Thread.sleep(IDLE_MS);
            handoff.put(System.nanoTime());
        }
        sleeper.join(); // its list is complete and visible from here on
        return Percentiles.of(micros.subList(2, micros.size()), 50);
    }

    /** Median milliseconds per frame of each size, sent one at a time. */
    static List<Double> medianMs(List<Integer> sizes) throws InterruptedException {
        List<Double> out = new ArrayList<>();
        try (ZContext senderCtx = new ZContext(); ZContext receiverCtx = new ZContext()) {
            ZMQ.Socket router = receiverCtx.createSocket(SocketType.ROUTER);
            int max = sizes.stream().mapToInt(Integer::intValue).max().orElse(1);
            ByteBuffer landing = ByteBuffer.allocateDirect(max);
            router.setMsgAllocator(n -> n < 64 << 10 ? new zmq.Msg(n) : new zmq.Msg(landing.clear().limit(n)));
            int port = router.bindToRandomPort("tcp://127.0.0.1");
            ZMQ.Poller poller = receiverCtx.createPoller(1);
            poller.register(router, ZMQ.Poller.POLLIN);
            ZMQ.Socket dealer = senderCtx.createSocket(SocketType.DEALER);
            dealer.setHandshakeIvl(2000);
            dealer.connect("tcp://127.0.0.1:" + port);
            for (int size : sizes) {
                ByteBuffer frame = ByteBuffer.allocateDirect(size);
                List<Double> ms = new ArrayList<>();
                for (int round = 0; round < ROUNDS + 2; round++) {
                    Thread.sleep(IDLE_MS);
                    long t = System.nanoTime();
                    dealer.sendByteBuffer(frame.duplicate(), 0);
                    if (poller.poll(5000) < 1) {
                        throw new IllegalStateException("the raw baseline's frame of " + size + " bytes did not arrive in 5 s");
                    }
                    router.base().recv(0); // the DEALER's identity
                    router.base().recv(0);
                    if (round >= 2) { // the first two connect and warm up
                        ms.add((System.nanoTime() - t) / 1e6);
                    }
                }
                out.add(Percentiles.of(ms, 50));
            }
        }
        return out;
    }
}
