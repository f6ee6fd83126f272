package io.edgeslice.protocol;

import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Direct buffers for activations, reused once their owner says they are done with. A fresh direct
 * buffer costs its pages being faulted in and zeroed (~0.5 ms per MiB on a small machine) and
 * stays allocated until a garbage collection notices it is dead; a reused one costs neither.
 *
 * <p>A buffer handed out by {@link #take} belongs to the tensor (or received frame) it is
 * registered for with {@link #own}; {@link #release} puts it back for reuse, and must only be
 * called when nothing reads that tensor's data any more. Registrations are weak: a tensor that is
 * never released simply lets its buffer go to the garbage collector. In a process with
 * {@link SharedMemory} enabled, large buffers are segments of shared memory that peers on this
 * machine may read. Thread-safe.
 */
public final class BufferPool {
    /**
     * The pool activations on this JVM share. Idle buffers count against the direct-memory limit
     * (by default the maximum heap), so they may take at most a quarter of it.
     */
    public static final BufferPool SHARED = new BufferPool(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4), 8);

    private final long maxIdleBytes;
    private final int maxIdlePerSize;
    private final Map<Integer, ArrayDeque<ByteBuffer>> idle = new HashMap<>();
    private final Map<WeakIdentityKey, ByteBuffer> owners = new HashMap<>();
    private final ReferenceQueue<Object> gone = new ReferenceQueue<>();
    private long idleBytes;

    BufferPool(long maxIdleBytes, int maxIdlePerSize) {
        this.maxIdleBytes = maxIdleBytes;
        this.maxIdlePerSize = maxIdlePerSize;
    }

    /**
     * A direct buffer of exactly {@code size} bytes (position 0, limit = capacity); its contents are
     * arbitrary. With shared memory enabled, a large one is a segment, so that it can be sent by reference.
     */
    public ByteBuffer take(int size) {
        ByteBuffer b = idle(size, true);
        if (b != null) {
            return b;
        }
        ByteBuffer shared = SharedMemory.allocate(size);
        return shared != null ? shared : ByteBuffer.allocateDirect(size);
    }

    /**
     * As {@link #take}, for bytes never sent on by reference (a received frame, a result): an idle
     * buffer of either kind, else a plain direct buffer, never a new segment (a file to make).
     */
    public ByteBuffer takeUnshared(int size) {
        ByteBuffer b = idle(size, false);
        return b != null ? b : ByteBuffer.allocateDirect(size);
    }

    /**
     * A tensor whose data is a buffer of this pool (from {@link #take} when {@code shareable}, else
     * {@link #takeUnshared}), owned by the tensor: a copy of {@code content}'s bytes, or arbitrary
     * bytes for someone to write when {@code content} is null.
     */
    public Tensor newTensor(String name, DType dtype, long[] shape, boolean shareable, Tensor content) {
        int size = Math.toIntExact(Tensor.byteSize(dtype, shape));
        ByteBuffer b = shareable ? take(size) : takeUnshared(size);
        if (content != null) {
            b.put(content.data().duplicate()).flip();
        }
        Tensor t = new Tensor(name, dtype, shape, b);
        own(t, b);
        return t;
    }

    private synchronized ByteBuffer idle(int size, boolean segmentWanted) {
        ArrayDeque<ByteBuffer> q = idle.get(size);
        ByteBuffer b = q == null ? null : q.poll();
        if (b == null) {
            return null;
        }
        idleBytes -= size;
        // a buffer pooled before shared memory was enabled gives way to a segment
        return segmentWanted && SharedMemory.wantsSegment(b) ? null : b.clear();
    }

    /** Records that {@code holder} (a tensor, or a frame that wraps {@code buffer}) owns a buffer from {@link #take}. */
    public synchronized void own(Object holder, ByteBuffer buffer) {
        purge();
        owners.put(new WeakIdentityKey(holder, gone), buffer);
    }

    /** Passes ownership on, e.g. from a received frame to the tensor decoded from it; no-op for unpooled holders. */
    public synchronized void transfer(Object from, Object to) {
        ByteBuffer b = owners.remove(new WeakIdentityKey(from, null));
        if (b != null) {
            owners.put(new WeakIdentityKey(to, gone), b);
        }
    }

    /** Takes back the buffers these tensors own; tensors not from this pool are ignored. Nothing may read their data afterwards. */
    public synchronized void release(Collection<Tensor> tensors) {
        purge();
        for (Tensor t : tensors) {
            ByteBuffer b = owners.remove(new WeakIdentityKey(t, null));
            if (b == null) {
                continue;
            }
            ArrayDeque<ByteBuffer> q = idle.computeIfAbsent(b.capacity(), k -> new ArrayDeque<>());
            if (q.size() < maxIdlePerSize && idleBytes + b.capacity() <= maxIdleBytes) {
                q.push(b); // the most recently used first: its pages are the likeliest to be in cache
                idleBytes += b.capacity();
            }
        }
    }

    /** The pooled buffer a tensor owns, or null. */
    synchronized ByteBuffer bufferOf(Tensor t) {
        return owners.get(new WeakIdentityKey(t, null));
    }

    /** Bytes idle in the pool (for tests). */
    synchronized long idleBytes() {
        return idleBytes;
    }

    /** Buffers whose holders were collected without a release go to the garbage collector too. */
    private void purge() {
        for (Object k; (k = gone.poll()) != null; ) {
            owners.remove(k);
        }
    }
}
