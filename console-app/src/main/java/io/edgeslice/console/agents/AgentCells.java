package io.edgeslice.console.agents;

import io.edgeslice.console.Format;
import io.edgeslice.protocol.Message;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.InvalidationListener;
import javafx.scene.control.ListCell;
import javafx.scene.control.TableCell;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;

/** The Metric Table's cells and the deployment list's cells. */
final class AgentCells {
    private AgentCells() {
    }

    /** One field of the row; greyed while the agent is not healthy (its values are the last heard). */
    static class FieldCell extends TableCell<AgentItem, Message.AgentRow> {
        private final Function<Message.AgentRow, String> text;

        FieldCell(Function<Message.AgentRow, String> text) {
            this.text = text;
        }

        @Override
        protected void updateItem(Message.AgentRow row, boolean empty) {
            super.updateItem(row, empty);
            setText(empty || row == null ? null : text.apply(row));
        }
    }

    /** The agent's name with its colour, the one it has in the DAG and the charts. */
    static final class NameCell extends FieldCell {
        private final Circle dot = new Circle(5);

        NameCell() {
            super(Message.AgentRow::name);
        }

        @Override
        protected void updateItem(Message.AgentRow row, boolean empty) {
            super.updateItem(row, empty);
            AgentItem item = getTableRow() == null ? null : getTableRow().getItem();
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            dot.setFill(Color.web(item.color()));
            setGraphic(dot);
        }
    }

    /** Hosted models by name, and the deployment on its way, if any. */
    static final class ModelsCell extends TableCell<AgentItem, Message.AgentRow> {
        private final DeploymentsViewModel deployments;

        ModelsCell(DeploymentsViewModel deployments) {
            this.deployments = deployments;
        }

        @Override
        protected void updateItem(Message.AgentRow row, boolean empty) {
            super.updateItem(row, empty);
            AgentItem item = getTableRow() == null ? null : getTableRow().getItem();
            if (empty || row == null || item == null) {
                setText(null);
                return;
            }
            String hosted = item.modelLabelsProperty().get().isEmpty() ? Format.NONE : String.join(", ", item.modelLabelsProperty().get());
            DeploymentItem pending = deployments.pendingOn(item.name());
            setText(pending == null ? hosted : hosted + "  (+ deploying " + pending.what().label() + "…)");
        }
    }

    static final class DeploymentCell extends ListCell<DeploymentItem> {
        private final InvalidationListener restyle = o -> restyle();
        private DeploymentItem shown;

        @Override
        protected void updateItem(DeploymentItem d, boolean empty) {
            super.updateItem(d, empty);
            textProperty().unbind();
            if (shown != null) {
                shown.stateProperty().removeListener(restyle);
            }
            shown = empty ? null : d;
            if (shown == null) {
                setText(null);
            } else {
                textProperty().bind(d.messageProperty());
                d.stateProperty().addListener(restyle);
            }
            restyle();
        }

        private void restyle() {
            getStyleClass().removeAll("pending", "done", "failed");
            if (shown != null) {
                getStyleClass().add(shown.state().name().toLowerCase(Locale.ROOT));
            }
        }
    }
}
