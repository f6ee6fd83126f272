package io.edgeslice.console.models;

/** A whole model, deployed as one slice. */
public record WholeModel(String modelHash, String label, long sizeBytes) implements Deployable {
}
