package io.edgeslice.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Models and slices on disk, named {@code <sha256>.onnx}, within a byte budget: adding one evicts
 * the least recently used that no job needs (they are fetched again on demand). Files are trusted
 * by name at start (they only ever arrive by an atomic move after their hash was checked);
 * unfinished {@code .part} files are removed. Guarded by itself: workers read paths, the control
 * thread adds and evicts.
 */
final class ModelCache {
    static final String SUFFIX = ".onnx";
    static final String PART_SUFFIX = ".part";
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}\\.onnx");
    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

    private final Path dir;
    private final long maxBytes;
    /** Hash to file size, in access order (least recently used first). */
    private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(16, 0.75f, true);
    private long totalBytes;

    ModelCache(Path dir) throws IOException {
        this(dir, AgentConfig.DEFAULT_CACHE_BYTES);
    }

    ModelCache(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.endsWith(PART_SUFFIX)) {
                    Files.deleteIfExists(f);
                    log.info("removed unfinished download {}", n);
                } else if (NAME.matcher(n).matches() && Files.isRegularFile(f)) {
                    long size = Files.size(f);
                    sizes.put(n.substring(0, 64), size);
                    totalBytes += size;
                }
            }
        }
        log.info("model cache {} holds {} model(s), {} of {} MB", dir, sizes.size(), totalBytes >> 20, maxBytes >> 20);
    }

    Path dir() {
        return dir;
    }

    Path path(String hash) {
        return dir.resolve(hash + SUFFIX);
    }

    Path partPath(String hash) {
        return dir.resolve(hash + SUFFIX + PART_SUFFIX);
    }

    /** Whether the model is here; counts as a use for the eviction order. */
    synchronized boolean contains(String hash) {
        return sizes.get(hash) != null;
    }

    /** Records a model whose file was just moved into place, then evicts beyond the budget. */
    void add(String hash) {
        add(hash, h -> false);
    }

    /** As {@link #add(String)}, never evicting a model that {@code inUse} names. */
    synchronized void add(String hash, Predicate<String> inUse) {
        long size = path(hash).toFile().length();
        Long old = sizes.put(hash, size);
        totalBytes += size - (old == null ? 0 : old);
        for (Iterator<Map.Entry<String, Long>> it = sizes.entrySet().iterator(); it.hasNext() && totalBytes > maxBytes; ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getKey().equals(hash) || inUse.test(e.getKey())) {
                continue;
            }
            try {
                Files.deleteIfExists(path(e.getKey()));
                totalBytes -= e.getValue();
                it.remove();
                log.info("evicted model {} ({} bytes) to stay within {} MB", e.getKey().substring(0, 12), e.getValue(), maxBytes >> 20);
            } catch (IOException ex) {
                log.warn("cannot evict model {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    synchronized List<String> hashes() {
        return new ArrayList<>(sizes.keySet());
    }

    synchronized long bytes() {
        return totalBytes;
    }
}
