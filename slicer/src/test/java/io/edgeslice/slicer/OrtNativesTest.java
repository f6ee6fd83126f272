package io.edgeslice.slicer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtNativesTest {
    @TempDir
    Path root;

    @Test
    void unpacksTheLibrariesOnceAndReusesThem() throws Exception {
        Path dir = OrtNatives.unpacked(root);
        assertThat(dir.getFileName().toString()).startsWith("onnxruntime-").containsAnyOf("linux-x64", "linux-aarch64");
        Path lib = dir.resolve("libonnxruntime.so");
        assertThat(Files.size(lib)).isGreaterThan(1 << 20);
        assertThat(dir.resolve("libonnxruntime4j_jni.so")).isRegularFile();
        FileTime written = FileTime.fromMillis(0);
        Files.setLastModifiedTime(lib, written);

        assertThat(OrtNatives.unpacked(root)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(lib)).as("not copied again").isEqualTo(written);
        try (var left = Files.list(root)) {
            assertThat(left.toList()).as("no staging directory left").containsExactly(dir);
        }
    }

    @Test
    void emptyTempDirectoriesOnnxRuntimeLeftAreRemovedOnceOldButNotOnesWithFilesOrFreshOnes() throws Exception {
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        Path oldEmpty = Files.createDirectory(root.resolve("onnxruntime-java123"));
        Path oldWithLibrary = Files.createDirectory(root.resolve("onnxruntime-java456"));
        Files.write(oldWithLibrary.resolve("libonnxruntime.so"), new byte[10]);
        Path freshEmpty = Files.createDirectory(root.resolve("onnxruntime-java789")); // a JVM starting right now
        Path other = Files.createDirectory(root.resolve("something-else"));
        for (Path d : List.of(oldEmpty, oldWithLibrary, other)) {
            Files.setLastModifiedTime(d, FileTime.fromMillis(hourAgo));
        }

        OrtNatives.removeEmptyTempDirs(root);

        assertThat(oldEmpty).doesNotExist();
        assertThat(oldWithLibrary.resolve("libonnxruntime.so")).exists();
        assertThat(freshEmpty).exists();
        assertThat(other).exists();
    }

    @Test
    void aDamagedLibraryIsUnpackedAgain() throws Exception {
        Path dir = OrtNatives.unpacked(root);
        Path lib = dir.resolve("libonnxruntime.so");
        long size = Files.size(lib);
        Files.write(lib, new byte[1000]);

        assertThat(OrtNatives.unpacked(root)).isEqualTo(dir);
        assertThat(Files.size(lib)).isEqualTo(size);
    }

    @Test
    void aCopyAKilledProcessAbandonedIsRemovedByTheNextUnpackButAFreshOneIsLeftAlone() throws Exception {
        Path dir = OrtNatives.unpacked(root);
        Path abandoned = Files.createDirectory(root.resolve(dir.getFileName() + ".123"));
        Files.write(abandoned.resolve("libonnxruntime.so"), new byte[1000]);
        Files.setLastModifiedTime(abandoned, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path fresh = Files.createDirectory(root.resolve(dir.getFileName() + ".456")); // another process copying right now
        Files.write(dir.resolve("libonnxruntime4j_jni.so"), new byte[10]); // damaged: the next call unpacks again

        OrtNatives.unpacked(root);

        assertThat(abandoned).doesNotExist();
        assertThat(fresh).exists();
    }

    @Test
    void processesUnpackingAtOnceAllGetTheWholeLibraries() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> dirs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                dirs.add(pool.submit(() -> OrtNatives.unpacked(root)));
            }
            Path first = dirs.get(0).get();
            long size = Files.size(first.resolve("libonnxruntime.so"));
            for (Future<Path> d : dirs) {
                assertThat(d.get()).isEqualTo(first);
            }
            assertThat(Files.size(first.resolve("libonnxruntime.so"))).isEqualTo(size);
            try (var left = Files.list(root)) {
                assertThat(left.toList()).containsExactly(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
