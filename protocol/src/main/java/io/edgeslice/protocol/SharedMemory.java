package io.edgeslice.protocol;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Activations between processes on one machine, through files in a shared-memory directory
 * ({@code /dev/shm}) instead of through the kernel's socket buffers. Once enabled, this process's
 * {@link BufferPool} takes its large buffers from segments there (one file per buffer, mapped), so
 * an output ONNX Runtime wrote into one can be sent as a reference of a few bytes: the peer maps
 * the same file and reads the tensor in place. The sender must not reuse such a buffer until the
 * peer has finished reading it (the receiving agent acknowledges a shared activation after its run).
 *
 * <p>A segment is named {@code edgeslice-PID-TOKEN-N}. Its file is deleted when its buffer is
 * collected or this process exits; segments left by a killed process are deleted by the next
 * process that enables shared memory in the same directory. A peer in another machine or
 * container cannot open the file: it answers {@link ErrorCode#SHARED_MEMORY} and the sender
 * sends inline from then on.
 */
public final class SharedMemory {
    /** Where segments live unless configured otherwise. */
    public static final Path DEFAULT_DIR = Path.of("/dev/shm");
    /** Tensors smaller than this travel inline: a reference saves nothing on them. */
    public static final int MIN_SEGMENT_BYTES = Wire.DIRECT_FRAME_BYTES;
    /** Bytes of peers' segments kept mapped for reuse (their pages stay mapped, so reading them again costs no faults). */
    static final long MAX_MAPPED_BYTES = 256L << 20;

    private static final Logger log = LoggerFactory.getLogger(SharedMemory.class);
    private static final Pattern NAME = Pattern.compile("edgeslice-(\\d{1,10})-([0-9a-f]{8})-(\\d{1,19})");
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
    private static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static volatile SharedMemory local;

    private final Path dir;
    private final String prefix;
    private final AtomicLong counter = new AtomicLong();
    private final Map<WeakIdentityKey, String> segments = new HashMap<>();
    private final Map<String, MappedByteBuffer> mappings = new LinkedHashMap<>(16, 0.75f, true);
    private long mappedBytes;
    private volatile boolean exhausted;

    private SharedMemory(Path dir) {
        this.dir = dir;
        this.prefix = "edgeslice-" + ProcessHandle.current().pid() + "-" + String.format("%08x", ThreadLocalRandom.current().nextInt()) + "-";
    }

    /**
     * Makes this process offer and read shared-memory segments in {@code dir} (an agent does, at
     * start), after deleting segments there whose process is gone. Returns false, and leaves
     * shared memory off, when the directory is not a writable directory.
     */
    public static synchronized boolean enable(Path dir) {
        if (local != null) {
            return local.dir.equals(dir);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            log.info("shared memory is off: {} is not a writable directory", dir);
            return false;
        }
        SharedMemory s = new SharedMemory(dir);
        s.sweepDeadProcesses();
        Runtime.getRuntime().addShutdownHook(new Thread(s::deleteOwnSegments, "edgeslice-shm-cleanup"));
        local = s;
        return true;
    }

    /** Whether this process offers and reads segments. */
    public static boolean enabled() {
        return local != null;
    }

    /** A buffer of {@code size} bytes in a new segment, or null when shared memory is off or the directory is full. */
    static ByteBuffer allocate(int size) {
        SharedMemory s = local;
        return s == null || size < MIN_SEGMENT_BYTES ? null : s.newSegment(size);
    }

    /** Whether a pooled buffer of this size should be a segment but is not (it was pooled before shared memory was enabled). */
    static boolean wantsSegment(ByteBuffer pooled) {
        SharedMemory s = local;
        return s != null && !s.exhausted && pooled.capacity() >= MIN_SEGMENT_BYTES && s.segmentName(pooled) == null;
    }

    /** Whether a tensor travels by reference with {@link Transport#SHARED}: its data is a whole segment of this process. */
    public static boolean inSegment(Tensor t) {
        return segmentOf(t) != null;
    }

    /** The reference frame for a tensor whose data is a whole pooled segment, or null if it is not in one. */
    static ByteBuffer referenceFrame(Tensor t) {
        String name = segmentOf(t);
        return name == null ? null : new BodyWriter(32 + name.length()).str(name).i64(0).i64(t.data().remaining()).finish();
    }

    /** The name of the segment a tensor's data is, whole, or null. */
    private static String segmentOf(Tensor t) {
        SharedMemory s = local;
        ByteBuffer pooled = s == null ? null : BufferPool.SHARED.bufferOf(t);
        return pooled == null || pooled.capacity() != t.data().capacity() ? null : s.segmentName(pooled);
    }

    /**
     * The bytes a reference frame names, read-only and mapped in place. Throws
     * {@link ErrorCode#SHARED_MEMORY} when the segment cannot be opened here, MALFORMED when the
     * frame is no reference or names bytes beyond its segment.
     */
    static ByteBuffer resolve(ByteBuffer frame, String tensorName) {
        BodyReader r = new BodyReader(frame, "shared-memory reference of tensor '" + tensorName + "'");
        String name = r.str();
        long offset = r.i64();
        long length = r.i64();
        r.end();
        if (!NAME.matcher(name).matches()) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + tensorName + "' names '" + name + "', which is no shared-memory segment");
        }
        SharedMemory s = local;
        if (s == null) {
            throw new ProtocolException(ErrorCode.SHARED_MEMORY, "this process does not read shared memory (tensor '" + tensorName + "')");
        }
        MappedByteBuffer m = s.map(name);
        if (offset < 0 || length < 0 || offset > m.capacity() - length) {
            throw new ProtocolException(ErrorCode.MALFORMED, "tensor '" + tensorName + "' names bytes " + offset + "+" + length + " of segment " + name
                    + ", which holds " + m.capacity());
        }
        return m.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer newSegment(int size) {
        if (exhausted) {
            return null;
        }
        String name = prefix + counter.incrementAndGet();
        Path file = dir.resolve(name);
        // readable by this user only: activations are users' data, and agents of one fleet run as one user
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                OWNER_ONLY)) {
            // tmpfs allocates pages lazily and a page it cannot allocate later kills the process with
            // SIGBUS; written now, a full directory is an IOException instead
            for (long at = 0; at < size; ) {
                ByteBuffer z = ZEROS.duplicate();
                z.limit((int) Math.min(z.capacity(), size - at));
                at += ch.write(z, at);
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            synchronized (segments) {
                segments.put(new WeakIdentityKey(m, null), name);
            }
            CLEANER.register(m, () -> forget(name, file));
            return m;
        } catch (IOException | RuntimeException e) {
            exhausted = true; // a full /dev/shm stays full for a while: plain direct buffers from now on
            log.warn("shared memory in {} is not usable ({}); activations travel through sockets", dir, e.toString());
            deleteQuietly(file);
            return null;
        }
    }

    private String segmentName(ByteBuffer pooled) {
        synchronized (segments) {
            return segments.get(new WeakIdentityKey(pooled, null));
        }
    }

    private void forget(String name, Path file) {
        synchronized (segments) {
            segments.values().remove(name);
        }
        deleteQuietly(file);
    }

    private MappedByteBuffer map(String name) {
        synchronized (mappings) {
            MappedByteBuffer m = mappings.get(name);
            if (m != null) {
                return m;
            }
        }
        MappedByteBuffer m;
        try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
            m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (NoSuchFileException e) {
            throw new ProtocolException(ErrorCode.SHARED_MEMORY, "shared-memory segment " + name + " does not exist in " + dir
                    + " (the sender is on another machine or container, or dropped it)");
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.SHARED_MEMORY, "shared-memory segment " + name + " cannot be mapped: " + e);
        }
        synchronized (mappings) {
            if (mappings.put(name, m) == null) {
                mappedBytes += m.capacity();
            }
            // the least recently read go first; each is unmapped once nothing reads it any more
            for (var it = mappings.values().iterator(); mappedBytes > MAX_MAPPED_BYTES && mappings.size() > 1; ) {
                mappedBytes -= it.next().capacity();
                it.remove();
            }
        }
        return m;
    }

    /** Segments of processes that are gone: a SIGKILL leaves them behind, holding memory. */
    private void sweepDeadProcesses() {
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "edgeslice-*")) {
            for (Path f : files) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    deleteQuietly(f);
                    deleted++;
                }
            }
        } catch (IOException e) {
            log.warn("cannot list {} for segments of dead processes: {}", dir, e.toString());
        }
        if (deleted > 0) {
            log.info("deleted {} shared-memory segments of processes that are gone", deleted);
        }
    }

    private void deleteOwnSegments() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*")) {
            files.forEach(SharedMemory::deleteQuietly);
        } catch (IOException e) {
            // exiting: the next agent's sweep deletes what is left
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", f, e.toString());
        }
    }
}
