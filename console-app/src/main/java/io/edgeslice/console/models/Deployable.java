package io.edgeslice.console.models;

/**
 * Something an operator can drag onto an agent. Today that is a whole model; single slices join
 * when pipelines are deployed slice by slice.
 */
public sealed interface Deployable permits WholeModel {
    /** SHA-256 of the model it belongs to. */
    String modelHash();

    /** How the console names it, e.g. the model's file name. */
    String label();

    /** Bytes the agent must hold, for the broker's fit rule. */
    long sizeBytes();
}
