package io.edgeslice.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZMQ;

/**
 * Waits until one of a few JeroMQ sockets has a message to read, like {@code ZMQ.Poller} with
 * POLLIN, without its busy loop on a loaded machine.
 *
 * <p>JeroMQ wakes a socket's owner by writing a byte to the socket's mailbox pipe and only then
 * counting it; a reader that finds the byte but not the count leaves the byte in the pipe. The
 * write itself wakes the reader, which on a busy core often preempts the writer before it counts:
 * {@code ZMQ.poll} then selects, finds nothing and selects again, thousands of times, and keeps the
 * writer it waits for off the CPU for up to a scheduler slice (measured on 2 cores under a pipeline:
 * ~140 {@code epoll_wait} per request in an agent's control thread, three quarters of its CPU).
 * This poller parks briefly instead when a wake-up finds nothing, so the writer runs.
 *
 * <p>Like the sockets it polls, an instance belongs to one thread.
 */
public final class SocketPoller implements AutoCloseable {
    /** First pause after a wake-up that found nothing; doubles up to {@link #MAX_PAUSE_NANOS}. */
    static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Selector selector;
    private final List<ZMQ.Socket> sockets = new ArrayList<>();
    private boolean[] readable = new boolean[0];

    public SocketPoller() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    /** Adds a socket to poll for messages to read; returns its index for {@link #readable(int)}. */
    public int register(ZMQ.Socket socket) {
        SelectableChannel mailbox = socket.getFD();
        try {
            mailbox.register(selector, SelectionKey.OP_READ);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException("the socket is closed", e);
        }
        sockets.add(socket);
        readable = new boolean[sockets.size()];
        return sockets.size() - 1;
    }

    /**
     * Waits up to {@code timeoutMillis} (0: not at all) until a registered socket has a message.
     *
     * @return how many sockets have one; 0 when the time ran out
     */
    public int poll(long timeoutMillis) {
        int ready = check();
        if (ready > 0 || timeoutMillis <= 0) {
            return ready;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            boolean woken = select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
            ready = check();
            if (ready > 0) {
                return ready;
            }
            if (woken) {
                // a byte without its count: the writer is between the two, let it run (see the class comment)
                LockSupport.parkNanos(Math.min(pause, Math.max(0, deadline - System.nanoTime())));
                pause = Math.min(MAX_PAUSE_NANOS, pause * 2);
            }
        }
    }

    /** Whether the socket at {@code index} had a message at the last {@link #poll(long)}. */
    public boolean readable(int index) {
        return readable[index];
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close a selector", e);
        }
    }

    /** Reads each socket's events; this also runs its pending mailbox commands, without a system call. */
    private int check() {
        int ready = 0;
        for (int i = 0; i < readable.length; i++) {
            int events = sockets.get(i).getEvents(); // negative once the socket or its context is closed
            readable[i] = events > 0 && (events & ZMQ.Poller.POLLIN) != 0;
            if (readable[i]) {
                ready++;
            }
        }
        return ready;
    }

    private boolean select(long millis) {
        try {
            int n = selector.select(millis);
            selector.selectedKeys().clear();
            return n > 0;
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
    }
}
