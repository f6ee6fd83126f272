package io.edgeslice.agent;

import io.edgeslice.slicer.SliceMarks;
import io.edgeslice.slicer.Slicer;
import io.edgeslice.slicer.SlicingException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How each slice must run, as the slicer marked it: at level all (cut where the chain stays bit-exact
 * there) or extended, and, for slices of an optimised graph, on which ONNX Runtime target only. Read
 * once per slice (by hash). Thread-safe.
 */
final class SliceMarksCache {
    private final ConcurrentHashMap<String, SliceMarks> marks = new ConcurrentHashMap<>();

    SliceMarks of(Path file, String hash) {
        return marks.computeIfAbsent(hash, h -> {
            try {
                return Slicer.marks(file);
            } catch (SlicingException e) {
                return SliceMarks.PORTABLE; // ONNX Runtime reports what is wrong with the file when it loads it
            }
        });
    }
}
