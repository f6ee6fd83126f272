package io.edgeslice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class SocketPollerTest {
    private ZContext ctx;
    private ZMQ.Socket pull;
    private ZMQ.Socket push;
    private ZMQ.Socket quiet;

    @BeforeEach
    void sockets() {
        ctx = new ZContext();
        pull = ctx.createSocket(SocketType.PULL);
        pull.bind("inproc://poller-test");
        push = ctx.createSocket(SocketType.PUSH);
        push.connect("inproc://poller-test");
        quiet = ctx.createSocket(SocketType.PULL);
        quiet.bind("inproc://poller-test-quiet");
    }

    @AfterEach
    void close() {
        ctx.close();
    }

    @Test
    void reportsWhichSocketHasAMessage() {
        try (SocketPoller poller = new SocketPoller()) {
            int q = poller.register(quiet);
            int p = poller.register(pull);
            push.send("hello");
            assertEquals(1, poller.poll(2000));
            assertTrue(poller.readable(p));
            assertFalse(poller.readable(q));
            assertEquals("hello", pull.recvStr(ZMQ.DONTWAIT));
            assertEquals(0, poller.poll(0), "nothing left to read");
            assertFalse(poller.readable(p));
        }
    }

    @Test
    void wakesWhenAnotherThreadSends() throws InterruptedException {
        try (SocketPoller poller = new SocketPoller()) {
            int p = poller.register(pull);
            Thread sender = new Thread(() -> {
                sleep(100);
                push.send("late");
            });
            sender.start();
            long start = System.nanoTime();
            int ready = poller.poll(10_000);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            sender.join();
            assertEquals(1, ready);
            assertTrue(poller.readable(p));
            assertTrue(waitedMs < 5_000, "woke by the message, not the timeout: " + waitedMs + " ms");
        }
    }

    @Test
    void waitsOutItsTimeoutWhenNothingComes() {
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(quiet);
            long start = System.nanoTime();
            assertEquals(0, poller.poll(150));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150));
        }
    }

    /**
     * A signal byte written but not yet counted (the writer preempted in between) keeps the mailbox
     * readable. ZMQ.poll spins on it at full CPU; this poller must wait without burning the core.
     */
    @Test
    void aSignalNotYetCountedDoesNotSpin() throws Exception {
        ZMQ.Socket socket = quiet;
        Object signaler = field(field(socket.base(), "mailbox"), "signaler");
        Pipe.SinkChannel w = (Pipe.SinkChannel) field(signaler, "w");
        AtomicLong wcursor = (AtomicLong) field(signaler, "wcursor");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(socket);
            w.write(ByteBuffer.wrap(new byte[] {0})); // the byte, as Signaler.send writes it, without the count
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            assertEquals(0, poller.poll(400));
            long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long cpuMs = TimeUnit.NANOSECONDS.toMillis(threads.getCurrentThreadCpuTime() - cpuBefore);
            assertTrue(wallMs >= 400, "waited its timeout: " + wallMs + " ms");
            assertTrue(cpuMs < wallMs / 2, "waited without spinning: " + cpuMs + " ms of CPU in " + wallMs + " ms");
        } finally {
            wcursor.incrementAndGet(); // the writer resumes: the next read of the socket's events consumes the byte
        }
        ZMQ.Socket sender = ctx.createSocket(SocketType.PUSH);
        sender.connect("inproc://poller-test-quiet");
        sender.send("after");
        try (SocketPoller poller = new SocketPoller()) {
            poller.register(socket);
            assertEquals(1, poller.poll(2000));
        }
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(o.getClass().getName() + "." + name);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
