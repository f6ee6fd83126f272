package io.edgeslice.slicer;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON dialect of manifests, profiles and plans, for tools that print or read them. */
public final class SlicerJson {
    private SlicerJson() {
    }

    /**
     * A fresh mapper configured like the slicer's own: snake_case keys, dtypes as {@code float32},
     * indented output, unknown keys ignored on reading.
     */
    public static ObjectMapper mapper() {
        return Json.MAPPER.copy();
    }
}
