package io.edgeslice.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Models on disk, named {@code <sha256>.onnx}. Files are trusted by name at start (they only ever
 * arrive by an atomic move after their hash was checked); unfinished {@code .part} files are removed.
 */
final class ModelCache {
    static final String SUFFIX = ".onnx";
    static final String PART_SUFFIX = ".part";
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}\\.onnx");
    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

    private final Path dir;
    private final Set<String> hashes = ConcurrentHashMap.newKeySet();

    ModelCache(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.endsWith(PART_SUFFIX)) {
                    Files.deleteIfExists(f);
                    log.info("removed unfinished download {}", n);
                } else if (NAME.matcher(n).matches() && Files.isRegularFile(f)) {
                    hashes.add(n.substring(0, 64));
                }
            }
        }
        log.info("model cache {} holds {} model(s)", dir, hashes.size());
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

    boolean contains(String hash) {
        return hashes.contains(hash);
    }

    /** Records a model whose file was just moved into place. */
    void add(String hash) {
        hashes.add(hash);
    }

    List<String> hashes() {
        return new ArrayList<>(hashes);
    }
}
