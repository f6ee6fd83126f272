package io.edgeslice.slicer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Slicer} wrote to a directory: the original model's identity and the slices, in chain
 * order. Stored as {@code manifest.json} with snake_case keys.
 *
 * @param format      manifest format version, {@link #FORMAT}
 * @param model       file name of the original model
 * @param modelPath   absolute path of the original model when sliced (the model is not copied)
 * @param modelSha256 SHA-256 of the original model file
 * @param order       node order the positions refer to ({@link Order#lowerName()})
 * @param nodes       number of nodes in that order
 * @param inputShapes shapes of the model inputs the slices were analysed with
 * @param inputs      the model's inputs
 * @param outputs     the model's outputs
 * @param totals      whole-model totals
 * @param slices      the slices, in chain order
 */
public record Manifest(int format, String model, String modelPath, String modelSha256, String order, int nodes,
                       Map<String, List<Long>> inputShapes, List<TensorSpec> inputs, List<TensorSpec> outputs, Totals totals,
                       List<Slice> slices) {
    public static final int FORMAT = 1;
    public static final String FILE_NAME = "manifest.json";

    public Manifest {
        inputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(inputShapes));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        slices = List.copyOf(slices);
    }

    /**
     * Whole-model totals.
     *
     * @param flops  estimated FLOPs of all nodes
     * @param params elements of all weights
     * @param bytes  bytes crossing the interior cuts, i.e. sent between slices per inference
     */
    public record Totals(long flops, long params, long bytes) {
    }

    /**
     * One slice.
     *
     * @param id       {@code modelSha256:start-end}, also stored in the slice's metadata_props
     * @param start    first node position (inclusive)
     * @param end      last node position (exclusive)
     * @param file     file name of the slice model, relative to the manifest
     * @param sha256   SHA-256 of the slice model file
     * @param bytesIn  total size of the inputs
     * @param bytesOut total size of the outputs
     * @param flops    estimated FLOPs of the slice's nodes
     */
    public record Slice(String id, int start, int end, String file, String sha256, List<TensorSpec> inputs,
                        List<TensorSpec> outputs, long bytesIn, long bytesOut, long flops) {
        public Slice {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    /** Interior cut positions: the start of every slice but the first. */
    public int[] cuts() {
        return slices.stream().skip(1).mapToInt(Slice::start).toArray();
    }

    public void write(Path dir) {
        Json.write(dir.resolve(FILE_NAME), this);
    }

    /** Reads {@code manifest.json} from a slice directory. */
    public static Manifest read(Path dir) {
        Manifest m = Json.read(dir.resolve(FILE_NAME), Manifest.class, "slice manifest");
        if (m.format() != FORMAT || m.slices() == null || m.slices().isEmpty()) {
            throw new SlicingException(dir.resolve(FILE_NAME) + " is not a format-" + FORMAT + " slice manifest with slices");
        }
        return m;
    }
}
