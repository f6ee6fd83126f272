package io.edgeslice.slicer;

import ai.onnxruntime.OrtEnvironment;
import io.edgeslice.protocol.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's native libraries, unpacked once per user and version into a cache directory that
 * every later process loads them from. Left alone, the ONNX Runtime jar unpacks its 22 MB library
 * into a new {@code /tmp/onnxruntime-java*} directory in every JVM and leaves the directory behind,
 * with the library in it when the JVM is killed: on a board whose agent restarts after SIGKILL or
 * the OOM killer, /tmp fills up (6 GB here after a day of tests).
 */
public final class OrtNatives {
    private static final Logger log = LoggerFactory.getLogger(OrtNatives.class);
    /** ONNX Runtime reads its libraries from this directory when the property is set. */
    static final String PATH_PROPERTY = "onnxruntime.native.path";
    private static final List<String> LIBRARIES = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");
    private static final long ABANDONED_AFTER_MS = 10 * 60_000;
    private static boolean done;

    private OrtNatives() {
    }

    /**
     * Points ONNX Runtime at the cache ({@code $XDG_CACHE_HOME/edgeslice} or
     * {@code ~/.cache/edgeslice}), unpacking the libraries there first if need be. Call before the
     * first ONNX Runtime class is used; later calls, a property already set, or a platform whose
     * libraries the jar does not carry leave ONNX Runtime to its own loading.
     */
    public static synchronized void useCache() {
        if (done) {
            return;
        }
        done = true;
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        Path root = cacheRoot();
        try {
            Path dir = unpacked(root);
            if (dir != null) {
                System.setProperty(PATH_PROPERTY, dir.toString());
            }
        } catch (IOException | RuntimeException e) {
            log.debug("ONNX Runtime unpacks its libraries itself: cannot use {} ({})", root, e.toString());
        }
        removeEmptyTempDirs(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * ONNX Runtime makes a {@code onnxruntime-java*} directory in {@code tmp} in every JVM, even one
     * that loads the libraries from the cache, and leaves it behind: one empty directory per agent,
     * command and test JVM. Those older than a few minutes are no extraction in progress and go; one
     * holding files is left alone (another program's libraries, in use or not).
     */
    static void removeEmptyTempDirs(Path tmp) {
        long before = System.currentTimeMillis() - ABANDONED_AFTER_MS;
        try (var dirs = Files.newDirectoryStream(tmp, "onnxruntime-java*")) {
            for (Path d : dirs) {
                try {
                    if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && Files.getLastModifiedTime(d).toMillis() < before) {
                        Files.delete(d); // refuses a directory that is not empty
                    }
                } catch (IOException e) { // not empty, not ours, or gone meanwhile
                    log.trace("left {}: {}", d, e.toString());
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {} for ONNX Runtime's empty directories: {}", tmp, e.toString());
        }
    }

    /**
     * The directory under {@code root} holding this ONNX Runtime version's libraries for this
     * platform, unpacked if they are missing or incomplete; null on a platform the jar has none for.
     */
    static Path unpacked(Path root) throws IOException {
        String platform = platform();
        String version = OrtEnvironment.class.getPackage().getImplementationVersion();
        if (platform == null || version == null) {
            return null;
        }
        Path dir = root.resolve("onnxruntime-" + version + "-" + platform);
        if (!complete(dir, platform)) {
            unpack(dir, platform);
        }
        return dir;
    }

    private static String platform() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "linux-x64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> null;
        };
    }

    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("edgeslice");
    }

    private static URL resource(String platform, String library) {
        URL url = OrtEnvironment.class.getResource("/ai/onnxruntime/native/" + platform + "/" + library);
        if (url == null) {
            throw new IllegalStateException("the ONNX Runtime jar carries no " + library + " for " + platform);
        }
        return url;
    }

    /** Whether the directory holds every library at the size the jar has it. */
    private static boolean complete(Path dir, String platform) throws IOException {
        for (String lib : LIBRARIES) {
            Path f = dir.resolve(lib);
            URLConnection c = resource(platform, lib).openConnection();
            if (!Files.isRegularFile(f) || Files.size(f) != c.getContentLengthLong()) {
                return false;
            }
        }
        return true;
    }

    /** Unpacks into a fresh directory beside the target and renames it into place, so readers never see half a library. */
    private static void unpack(Path dir, String platform) throws IOException {
        Files.createDirectories(dir.getParent());
        removeAbandonedStaging(dir);
        Path staging = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".");
        try {
            for (String lib : LIBRARIES) {
                try (InputStream in = resource(platform, lib).openStream()) {
                    Files.copy(in, staging.resolve(lib));
                }
            }
            // copies go to a staging directory only, so a directory in place is complete (another process won)
            // or was damaged since (a file truncated or replaced): only the latter goes
            if (Files.exists(dir) && !complete(dir, platform)) {
                FileTrees.delete(dir);
            }
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) { // the directory is there (not empty) or cannot be renamed onto
                // another process unpacked the same version meanwhile: its copy is as good
                if (!complete(dir, platform)) {
                    throw e;
                }
            }
            log.info("unpacked ONNX Runtime's libraries into {}", dir);
        } finally {
            FileTrees.delete(staging); // gone already once renamed into place
        }
    }

    /** Staging directories a killed process left (22 MB each); one older than a few minutes is no copy in progress. */
    private static void removeAbandonedStaging(Path dir) {
        long before = System.currentTimeMillis() - ABANDONED_AFTER_MS;
        try (var siblings = Files.newDirectoryStream(dir.getParent(), dir.getFileName() + ".*")) {
            for (Path s : siblings) {
                if (Files.getLastModifiedTime(s).toMillis() < before) {
                    FileTrees.delete(s);
                }
            }
        } catch (IOException e) {
            log.debug("cannot remove abandoned copies beside {}: {}", dir, e.toString());
        }
    }

}
