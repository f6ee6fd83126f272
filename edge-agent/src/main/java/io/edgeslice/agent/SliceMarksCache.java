package io.edgeslice.agent;

import io.edgeslice.slicer.Slicer;
import io.edgeslice.slicer.SlicingException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which slices run at ONNX Runtime's level all: those the slicer marked, cut where the chain stays
 * bit-exact there; every other slice runs at level extended. Read once per slice (by hash). Thread-safe.
 */
final class SliceLevels {
    private final ConcurrentHashMap<String, Boolean> levelAll = new ConcurrentHashMap<>();

    boolean runsAtLevelAll(Path file, String hash) {
        return levelAll.computeIfAbsent(hash, h -> {
            try {
                return Slicer.runsAtLevelAll(file);
            } catch (SlicingException e) {
                return false; // ONNX Runtime reports what is wrong with the file when it loads it
            }
        });
    }
}
