package io.edgeslice.console;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * What the operator has selected, shared by the views so that a slice selected in the DAG
 * highlights its agent's row and charts. FX thread only.
 */
public final class ConsoleSelection {
    private final ObjectProperty<String> agent = new SimpleObjectProperty<>(this, "agent");
    private final ObjectProperty<String> modelHash = new SimpleObjectProperty<>(this, "modelHash");

    /** The selected agent's name, or null. */
    public ObjectProperty<String> agentProperty() {
        return agent;
    }

    /** The SHA-256 of the model selected in the Models view, or null. */
    public ObjectProperty<String> modelHashProperty() {
        return modelHash;
    }
}
