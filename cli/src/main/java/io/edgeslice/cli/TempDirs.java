package io.edgeslice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories the commands make (slices, agents' caches and logs), deleted when done with. */
final class TempDirs {
    private TempDirs() {
    }

    /** Deletes a directory and everything below it; what cannot be deleted stays (a temporary directory left is harmless). */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // best effort
        }
    }
}
