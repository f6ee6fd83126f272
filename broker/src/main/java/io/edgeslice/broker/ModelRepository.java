package io.edgeslice.broker;

import com.github.luben.zstd.Zstd;
import io.edgeslice.protocol.ErrorCode;
import io.edgeslice.protocol.Hashing;
import io.edgeslice.protocol.Message;
import io.edgeslice.protocol.ProtocolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Models the broker holds, content-addressed by SHA-256 in one directory: uploads arrive in order
 * in chunks with CRC32C, are hashed as they arrive and only become visible once the hash matches.
 * Agents read them back in chunks, zstd-compressed when that saves at least 10%. Used by the
 * broker's loop thread only.
 */
final class ModelRepository {
    private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    static final int MAX_CHUNK = 1 << 20;
    private static final int COMPRESSION_LEVEL = 3;
    private static final int COMPRESSED_CACHE_ENTRIES = 256;

    private final Path dir;
    private final long maxModelBytes;
    private final Map<String, Upload> uploads = new HashMap<>();
    private final Map<String, Long> sizes = new HashMap<>();
    private final Map<String, Message.Chunk> compressed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Message.Chunk> e) {
            return size() > COMPRESSED_CACHE_ENTRIES;
        }
    };

    private static final class Upload {
        final long size;
        final FileChannel channel;
        final MessageDigest digest = Hashing.sha256();
        long received;

        Upload(long size, FileChannel channel) {
            this.size = size;
            this.channel = channel;
        }
    }

    ModelRepository(Path dir, long maxModelBytes) {
        this.dir = dir;
        this.maxModelBytes = maxModelBytes;
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".part")).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare model directory " + dir, e);
        }
    }

    boolean has(String hash) {
        return size(hash) >= 0;
    }

    /** Size in bytes, or -1 when the model is not held. */
    long size(String hash) {
        Long s = sizes.get(hash);
        if (s != null) {
            return s;
        }
        Path p = path(hash);
        if (Files.isRegularFile(p)) {
            long len = p.toFile().length();
            sizes.put(hash, len);
            return len;
        }
        return -1;
    }

    Path path(String hash) {
        if (!HEX64.matcher(hash).matches()) {
            throw new ProtocolException(ErrorCode.MALFORMED, "model hash '" + hash + "' is not 64 lowercase hex digits");
        }
        return dir.resolve(hash + ".onnx");
    }

    /** A client announces an upload; answers how much the broker already has. */
    Message.ModelStatus offer(String hash, long size) {
        if (has(hash)) {
            return new Message.ModelStatus(hash, true, size(hash));
        }
        if (size <= 0 || size > maxModelBytes) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "model of " + size + " bytes is outside 1.." + maxModelBytes);
        }
        Upload u = uploads.get(hash);
        if (u != null && u.size != size) {
            abort(hash);
            u = null;
        }
        if (u == null) {
            try {
                FileChannel ch = FileChannel.open(dir.resolve(hash + ".part"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                u = new Upload(size, ch);
                uploads.put(hash, u);
            } catch (IOException e) {
                throw new ProtocolException(ErrorCode.INTERNAL, "cannot store model: " + e.getMessage(), e);
            }
        }
        return new Message.ModelStatus(hash, false, u.received);
    }

    /** Appends a chunk; out-of-order chunks are ignored and answered with the offset expected. */
    Message.ModelStatus chunk(Message.ModelChunk c) {
        String hash = c.modelHash();
        if (has(hash)) {
            return new Message.ModelStatus(hash, true, size(hash));
        }
        Upload u = uploads.get(hash);
        if (u == null) {
            throw new ProtocolException(ErrorCode.UNEXPECTED, "chunk of model " + Hashing.shortHash(hash) + " without a MODEL_OFFER");
        }
        if (c.offset() != u.received) {
            return new Message.ModelStatus(hash, false, u.received);
        }
        if (Hashing.crc32c(c.data()) != c.crc32c()) {
            throw new ProtocolException(ErrorCode.MALFORMED, "chunk at offset " + c.offset() + " of model " + Hashing.shortHash(hash) + " fails its CRC32C");
        }
        if (u.received + c.data().remaining() > u.size) {
            abort(hash);
            throw new ProtocolException(ErrorCode.MALFORMED, "model " + Hashing.shortHash(hash) + " upload exceeds its announced size " + u.size);
        }
        try {
            ByteBuffer data = c.data().duplicate();
            u.digest.update(data.duplicate());
            while (data.hasRemaining()) {
                u.channel.write(data, u.received + (c.data().remaining() - data.remaining()));
            }
            u.received += c.data().remaining();
        } catch (IOException e) {
            abort(hash);
            throw new ProtocolException(ErrorCode.INTERNAL, "cannot store model: " + e.getMessage(), e);
        }
        if (u.received < u.size) {
            return new Message.ModelStatus(hash, false, u.received);
        }
        return complete(hash, u);
    }

    private Message.ModelStatus complete(String hash, Upload u) {
        String actual = java.util.HexFormat.of().formatHex(u.digest.digest());
        uploads.remove(hash);
        try {
            u.channel.close();
            Path part = dir.resolve(hash + ".part");
            if (!actual.equals(hash)) {
                Files.deleteIfExists(part);
                throw new ProtocolException(ErrorCode.HASH_MISMATCH, "model bytes hash to " + actual + ", not the announced " + hash);
            }
            Files.move(part, path(hash), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INTERNAL, "cannot store model: " + e.getMessage(), e);
        }
        sizes.put(hash, u.size);
        return new Message.ModelStatus(hash, true, u.size);
    }

    private void abort(String hash) {
        Upload u = uploads.remove(hash);
        if (u != null) {
            try {
                u.channel.close();
                Files.deleteIfExists(dir.resolve(hash + ".part"));
            } catch (IOException e) {
                log.warn("cannot remove partial upload of {}: {}", hash, e.toString());
            }
        }
    }

    /** A chunk for an agent's FETCH, compressed when that saves at least 10%. */
    Message.Chunk read(String hash, long offset, int maxLength) {
        long size = size(hash);
        if (size < 0) {
            throw new ProtocolException(ErrorCode.MODEL_MISSING, "the broker does not hold model " + hash);
        }
        if (offset < 0 || offset >= size || maxLength <= 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "fetch of model " + Hashing.shortHash(hash) + " at offset " + offset
                    + " length " + maxLength + " is outside its " + size + " bytes");
        }
        int len = (int) Math.min(Math.min(maxLength, MAX_CHUNK), size - offset);
        String key = hash + ":" + offset + ":" + len;
        Message.Chunk cached = compressed.get(key);
        if (cached != null) {
            return cached;
        }
        ByteBuffer raw = ByteBuffer.allocate(len);
        try (FileChannel ch = FileChannel.open(path(hash), StandardOpenOption.READ)) {
            while (raw.hasRemaining() && ch.read(raw, offset + raw.position()) > 0) {
                // read until full
            }
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INTERNAL, "cannot read model " + hash + ": " + e.getMessage(), e);
        }
        raw.flip();
        int crc = Hashing.crc32c(raw);
        byte[] packed = Zstd.compress(raw.array(), COMPRESSION_LEVEL);
        Message.Chunk chunk = packed.length <= len * 0.9
                ? new Message.Chunk(hash, offset, size, Message.Chunk.CODEC_ZSTD, len, crc, ByteBuffer.wrap(packed))
                : new Message.Chunk(hash, offset, size, Message.Chunk.CODEC_NONE, len, crc, raw);
        compressed.put(key, chunk);
        return chunk;
    }
}
