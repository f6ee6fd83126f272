package io.edgeslice.agent;

import com.github.luben.zstd.Zstd;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model download from the broker, owned by the control thread. Requests are pipelined with
 * credit: at most {@link #WINDOW} FETCHes are outstanding and a new one goes out only when a chunk
 * comes back. Each chunk's CRC32C is checked (a bad chunk is asked for again, at most
 * {@link #MAX_RETRIES} times) and written at its offset into {@code <hash>.onnx.part}; the whole
 * file must hash to the announced SHA-256 before it is moved into the cache.
 */
final class ModelFetch {
    static final int CHUNK = 1 << 20;
    static final int WINDOW = 4;
    static final int MAX_RETRIES = 3;
    private static final Logger log = LoggerFactory.getLogger(ModelFetch.class);

    /** The download cannot complete; the waiting tasks fail with this code. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;

        Failure(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }
    }

    final String hash;
    final List<TaskJob> waiting = new ArrayList<>();
    private final Path part;
    private final Path target;
    private final FileChannel channel;
    private long total; // -1 until the broker or the task says
    private final BitSet received = new BitSet();
    private final Set<Integer> outstanding = new HashSet<>();
    private final Map<Integer, Integer> retries = new HashMap<>();
    private final MessageDigest digest = Hashing.sha256();
    private int digested; // chunks [0, digested) are in the digest, which needs them in order
    private long receivedBytes;
    private int loggedQuarter;
    private final long startedNanos;
    private long lastProgressNanos;

    ModelFetch(String hash, long declaredSize, ModelCache cache, long nowNanos) throws IOException {
        this.hash = hash;
        this.part = cache.partPath(hash);
        this.target = cache.path(hash);
        this.total = declaredSize > 0 ? declaredSize : -1;
        this.channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        this.startedNanos = nowNanos;
        this.lastProgressNanos = nowNanos;
    }

    /** Sends FETCHes until the window is full; stops quietly when the sender cannot send (link down). */
    void pump(Predicate<Message> sender) {
        int n = chunkCount();
        for (int i = 0; i < n && outstanding.size() < WINDOW; i++) {
            if (received.get(i) || outstanding.contains(i)) {
                continue;
            }
            if (!sender.test(new Message.Fetch(hash, (long) i * CHUNK, CHUNK))) {
                return;
            }
            outstanding.add(i);
        }
    }

    /** After a reconnect: requests in flight died with the old connection; ask again for what is missing. */
    void restart(Predicate<Message> sender, long nowNanos) {
        outstanding.clear();
        lastProgressNanos = nowNanos;
        pump(sender);
    }

    boolean stalled(long nowNanos, long stallNanos) {
        return nowNanos - lastProgressNanos > stallNanos;
    }

    /**
     * Takes one CHUNK. Returns true once the model is complete, verified and in the cache.
     *
     * @throws Failure when the download cannot succeed (corrupt chunk too often, hash mismatch, disk)
     */
    boolean onChunk(Message.Chunk c, Predicate<Message> sender, long nowNanos) throws Failure {
        long off = c.offset();
        if (off < 0 || off % CHUNK != 0 || !outstanding.remove((int) (off / CHUNK))) {
            log.debug("ignoring a chunk of {} at offset {} that was not asked for (a stale answer)", Hashing.shortHash(hash), off);
            return false;
        }
        int idx = (int) (off / CHUNK);
        lastProgressNanos = nowNanos;
        if (c.totalSize() >= 0 && c.totalSize() != total) {
            if (total >= 0) {
                log.warn("the broker says model {} has {} bytes, the task said {}; the SHA-256 decides", Hashing.shortHash(hash), c.totalSize(), total);
            }
            total = c.totalSize();
        }
        ByteBuffer raw;
        try {
            raw = decode(c);
        } catch (Corrupt e) {
            int tries = retries.merge(idx, 1, Integer::sum);
            if (tries > MAX_RETRIES) {
                throw new Failure(ErrorCode.HASH_MISMATCH, "chunk at offset " + off + " of model " + Hashing.shortHash(hash) + " arrived corrupt "
                        + tries + " times (it " + e.getMessage() + ")");
            }
            log.warn("chunk at offset {} of model {} {}; asking again ({} of {})", off, Hashing.shortHash(hash), e.getMessage(), tries, MAX_RETRIES);
            pump(sender);
            return false;
        }
        write(raw, off);
        received.set(idx);
        receivedBytes += raw.remaining();
        digestInOrder(idx, raw);
        logProgress();
        if (received.cardinality() >= chunkCount()) {
            finish(nowNanos);
            return true;
        }
        pump(sender);
        return false;
    }

    /** Closes and deletes the partial file. */
    void abort() {
        try {
            channel.close();
            Files.deleteIfExists(part);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", part, e.getMessage());
        }
    }

    private int chunkCount() {
        return total < 0 ? 1 : (int) Math.max(1, (total + CHUNK - 1) / CHUNK);
    }

    /** Why a chunk cannot be right; worded to follow "the chunk". */
    private static final class Corrupt extends Exception {
        private static final long serialVersionUID = 1L;

        Corrupt(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The raw bytes of a chunk, checked against its length and CRC32C. */
    private ByteBuffer decode(Message.Chunk c) throws Corrupt {
        long expected = Math.min(CHUNK, total - c.offset());
        if (total < 0 || expected < 0 || c.rawLength() != expected) {
            throw new Corrupt("has raw length " + c.rawLength() + " at total size " + total + ", expected " + Math.max(expected, 0));
        }
        ByteBuffer data = c.data().duplicate();
        ByteBuffer raw = switch (c.codec()) {
            case Message.Chunk.CODEC_NONE -> data;
            case Message.Chunk.CODEC_ZSTD -> {
                byte[] src = new byte[data.remaining()];
                data.get(src);
                try {
                    yield ByteBuffer.wrap(Zstd.decompress(src, c.rawLength()));
                } catch (RuntimeException e) {
                    throw new Corrupt("does not decompress (" + e.getMessage() + ")");
                }
            }
            default -> throw new Corrupt("uses unknown codec " + c.codec());
        };
        if (raw.remaining() != c.rawLength()) {
            throw new Corrupt("holds " + raw.remaining() + " bytes for raw length " + c.rawLength());
        }
        if (Hashing.crc32c(raw) != c.crc32c()) {
            throw new Corrupt("failed its CRC32C check");
        }
        return raw;
    }

    private void write(ByteBuffer raw, long offset) throws Failure {
        try {
            ByteBuffer b = raw.duplicate();
            for (long pos = offset; b.hasRemaining(); ) {
                pos += channel.write(b, pos);
            }
        } catch (IOException e) {
            throw new Failure(ErrorCode.INTERNAL, "cannot write " + part + ": " + e.getMessage());
        }
    }

    /** Feeds the digest in file order; chunks that came early are read back from the file. */
    private void digestInOrder(int idx, ByteBuffer raw) throws Failure {
        if (idx != digested) {
            return;
        }
        digest.update(raw.duplicate());
        digested++;
        try {
            while (received.get(digested)) {
                long off = (long) digested * CHUNK;
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(CHUNK, total - off));
                while (b.hasRemaining() && channel.read(b, off + b.position()) >= 0) {
                    // read until full
                }
                digest.update(b.flip());
                digested++;
            }
        } catch (IOException e) {
            throw new Failure(ErrorCode.INTERNAL, "cannot read back " + part + ": " + e.getMessage());
        }
    }

    private void logProgress() {
        int quarter = total > 0 ? (int) (receivedBytes * 4 / total) : 4;
        if (quarter > loggedQuarter && quarter < 4) {
            loggedQuarter = quarter;
            log.info("fetching model {}: {}% ({} of {} bytes)", Hashing.shortHash(hash), quarter * 25, receivedBytes, total);
        }
    }

    private void finish(long nowNanos) throws Failure {
        String actual = HexFormat.of().formatHex(digest.digest());
        try {
            channel.force(true); // the rename below must not publish a file whose bytes a power cut could lose
            channel.close();
            if (!actual.equals(hash)) {
                Files.deleteIfExists(part);
                throw new Failure(ErrorCode.HASH_MISMATCH, "model fetched as " + Hashing.shortHash(hash) + " hashes to " + Hashing.shortHash(actual)
                        + "; discarded");
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            abort();
            throw new Failure(ErrorCode.INTERNAL, "cannot store model " + Hashing.shortHash(hash) + ": " + e.getMessage());
        }
        log.info("fetched model {} ({} bytes) in {} ms", Hashing.shortHash(hash), total, (nowNanos - startedNanos) / 1_000_000);
    }
}
