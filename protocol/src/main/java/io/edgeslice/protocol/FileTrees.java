package io.edgeslice.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directories the processes make and drop again: temporary slices, agents' caches and logs, staging copies. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes a directory and everything below it, as far as it can: what cannot be deleted stays
     * (a directory left behind is harmless, and the caller has nothing better to do). Null is ignored.
     */
    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // best effort
        }
    }
}
