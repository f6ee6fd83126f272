package io.edgeslice.slicer;

/** Told about the progress of long work such as profiling; called on the working thread. */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores progress. */
    ProgressListener NONE = (task, done, total) -> { };

    /**
     * @param task  what is being done, e.g. {@code "profiling segment 3-17"}
     * @param done  steps finished so far
     * @param total steps in all
     */
    void progress(String task, int done, int total);
}
