package io.edgeslice.client;

/**
 * Progress of profiling or link measurement.
 *
 * @param subject the agent being profiled, or the link, e.g. {@code a1 -> a2}
 * @param step    what happens now, e.g. {@code profiling segment 12-30}
 * @param done    steps finished for this subject
 * @param total   steps in all for this subject
 */
public record MeasureProgress(String subject, String step, int done, int total) {
}
