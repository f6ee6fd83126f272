package io.edgeslice.console.models;

/**
 * Something an operator can drag onto an agent: a whole model from the Models list, or one slice
 * of a model from the Slice DAG.
 */
public sealed interface Deployable permits WholeModel, ModelSlice {
    /** SHA-256 of the model it belongs to. */
    String modelHash();

    /** How the console names it, e.g. the model's file name. */
    String label();

    /** Bytes the agent must hold, for the broker's fit rule. */
    long sizeBytes();
}
