package io.edgeslice.console.agents;

import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.TableCell;
import javafx.scene.paint.Color;

/** The last minute of CPU in a table cell, drawn on a Canvas (cheaper than a chart per row). */
final class SparklineCell extends TableCell<AgentItem, double[]> {
    static final double WIDTH = 90;
    static final double HEIGHT = 20;
    private final Canvas canvas = new Canvas(WIDTH, HEIGHT);

    SparklineCell() {
        getStyleClass().add("sparkline-cell");
        setGraphic(canvas);
        setText(null);
    }

    @Override
    protected void updateItem(double[] trend, boolean empty) {
        super.updateItem(trend, empty);
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, WIDTH, HEIGHT);
        if (empty || trend == null || trend.length < 2) {
            return;
        }
        AgentItem item = getTableRow() == null ? null : getTableRow().getItem();
        boolean stale = item != null && item.stale();
        g.setStroke(stale ? Color.gray(0.5) : Color.web(item == null ? "#4c9aff" : item.color()));
        g.setLineWidth(1.2);
        double step = WIDTH / (AgentItem.TREND_POINTS - 1);
        double x0 = WIDTH - step * (trend.length - 1);
        g.beginPath();
        for (int i = 0; i < trend.length; i++) {
            double y = HEIGHT - 1 - Math.max(0, Math.min(100, trend[i])) / 100 * (HEIGHT - 2);
            if (i == 0) {
                g.moveTo(x0, y);
            } else {
                g.lineTo(x0 + i * step, y);
            }
        }
        g.stroke();
    }
}
