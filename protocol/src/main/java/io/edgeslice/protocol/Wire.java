package io.edgeslice.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.zeromq.ZMQ;

/**
 * Moves frame lists over JeroMQ sockets without copying tensor data: received frames are the
 * message buffers themselves (direct for large frames), sent frames are wrapped, not copied.
 * Like the sockets, a Wire call must only be made by the socket's owner thread.
 */
public final class Wire {
    /** Frames from this size on are received into direct buffers by sockets set up with {@link #receiveTensorsDirect}. */
    public static final int DIRECT_FRAME_BYTES = 64 << 10;

    private Wire() {
    }

    /**
     * Sets a socket that receives tensors to take large frames into direct buffers from
     * {@link BufferPool#SHARED}: the kernel writes them there and ONNX Runtime reads them in place.
     * Heap frames look faster to receive (no fresh pages to fault in), but the JDK copies them
     * through a temporary direct buffer on the way in and the engine copies them into direct
     * memory again before a run, which costs more than the pages saved (12.5 MiB on loopback, 2
     * cores: ~12 ms direct against ~20 ms); buffers released back to the pool save the pages too.
     * Frames received this way are owned (see {@link BufferPool#own}) by the buffer
     * {@link #receive} returns for them.
     */
    public static void receiveTensorsDirect(ZMQ.Socket socket) {
        socket.setMsgAllocator(size -> size < DIRECT_FRAME_BYTES ? new zmq.Msg(size) : new PooledMsg(BufferPool.SHARED.takeUnshared(size)));
    }

    /** A message whose buffer came from the pool. */
    private static final class PooledMsg extends zmq.Msg {
        final ByteBuffer pooled;

        PooledMsg(ByteBuffer pooled) {
            super(pooled);
            this.pooled = pooled;
        }
    }

    /** Receives one whole multi-part message, or null if none is waiting (with DONTWAIT). */
    public static List<ByteBuffer> receive(ZMQ.Socket socket, int flags) {
        zmq.Msg first = socket.base().recv(flags);
        if (first == null) {
            return null;
        }
        List<ByteBuffer> frames = new ArrayList<>(4);
        frames.add(frame(first));
        zmq.Msg part = first;
        while (part.hasMore()) {
            part = socket.base().recv(0);
            if (part == null) {
                break;
            }
            frames.add(frame(part));
        }
        return frames;
    }

    private static ByteBuffer frame(zmq.Msg m) {
        ByteBuffer b = m.buf();
        if (m instanceof PooledMsg p) {
            BufferPool.SHARED.own(b, p.pooled); // Codec hands it on to the tensor decoded from it
        }
        return b;
    }

    /** Sends frames (optionally after a routing identity); false if it would block (DONTWAIT) or the peer is unknown. */
    public static boolean send(ZMQ.Socket socket, byte[] identity, List<ByteBuffer> frames, boolean dontWait) {
        int wait = dontWait ? ZMQ.DONTWAIT : 0;
        try {
            if (identity != null && !socket.send(identity, ZMQ.SNDMORE | wait)) {
                return false;
            }
            for (int i = 0; i < frames.size(); i++) {
                int more = i < frames.size() - 1 ? ZMQ.SNDMORE : 0;
                // only the first frame may block; after it the message is committed and the rest never do
                int flags = more | (i == 0 && identity == null ? wait : 0);
                if (socket.sendByteBuffer(frames.get(i).duplicate(), flags) < 0) {
                    return false;
                }
            }
            return true;
        } catch (org.zeromq.ZMQException e) {
            if (e.getErrorCode() == zmq.ZError.EHOSTUNREACH) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The next well-formed message waiting on a socket, without waiting, or null when none is; a
     * malformed one goes to {@code onMalformed} and is skipped, so a peer's bad frames never stop
     * the reader.
     *
     * @param router whether the socket is a ROUTER, whose messages start with the sender's identity (dropped here)
     */
    public static Message nextMessage(ZMQ.Socket socket, boolean router, Consumer<ProtocolException> onMalformed) {
        for (List<ByteBuffer> frames; (frames = receive(socket, ZMQ.DONTWAIT)) != null; ) {
            try {
                return Codec.decode(router ? frames.subList(1, frames.size()) : frames);
            } catch (ProtocolException e) {
                onMalformed.accept(e);
            }
        }
        return null;
    }

    public static boolean send(ZMQ.Socket socket, byte[] identity, Message m, boolean dontWait) {
        return send(socket, identity, Codec.encode(m), dontWait);
    }

    /** Total bytes of a frame list, for size limits. */
    public static long size(List<ByteBuffer> frames) {
        long n = 0;
        for (ByteBuffer b : frames) {
            n += b.remaining();
        }
        return n;
    }
}
