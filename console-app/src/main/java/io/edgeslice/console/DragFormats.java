package io.edgeslice.console;

import javafx.scene.input.DataFormat;

/**
 * The drag-and-drop payloads between views. Only ids travel on the dragboard: {@code model:<sha256>}
 * for a whole model, {@code slice:<sha256>:<start>-<end>} for one slice of a model in the Slice DAG.
 */
public final class DragFormats {
    private static final String MIME = "application/x-edgeslice-deployable";
    /** Something deployable, by id; JavaFX allows one DataFormat per MIME type per JVM. */
    public static final DataFormat DEPLOYABLE = existingOrNew();
    public static final String MODEL_PREFIX = "model:";
    public static final String SLICE_PREFIX = "slice:";

    private DragFormats() {
    }

    private static DataFormat existingOrNew() {
        DataFormat f = DataFormat.lookupMimeType(MIME);
        return f != null ? f : new DataFormat(MIME);
    }
}
