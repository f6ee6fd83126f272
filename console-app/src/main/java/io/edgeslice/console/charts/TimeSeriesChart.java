package io.edgeslice.console.charts;

import io.edgeslice.console.Format;
import java.util.List;
import java.util.function.DoubleFunction;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * A small time chart on a Canvas: one or two series over the chosen window, the latest value and
 * the scale. A Canvas redraw costs a fraction of a LineChart update, which matters with a chart per
 * metric per runtime at up to four updates a second.
 */
final class TimeSeriesChart extends Region {
    private static final Font SMALL = Font.font(10);
    private static final Font VALUE = Font.font(12);
    private final Canvas canvas = new Canvas();
    private final String title;
    private final DoubleFunction<String> format;
    private final double fixedMax;
    private final ReadOnlyIntegerWrapper plotted = new ReadOnlyIntegerWrapper(this, "plotted");
    private List<MetricSeries> series = List.of();
    private List<Color> colors = List.of();
    private String emptyText = Format.NONE;
    private long windowMs = 60_000;
    private long nowMs;

    /** @param fixedMax the top of the scale, or NaN to follow the data */
    TimeSeriesChart(String title, DoubleFunction<String> format, double fixedMax) {
        this.title = title;
        this.format = format;
        this.fixedMax = fixedMax;
        getStyleClass().add("time-series-chart");
        getChildren().add(canvas);
        setMinSize(60, 54);
        setPrefSize(80, 62);
    }

    void show(List<MetricSeries> series, List<Color> colors, String emptyText, long windowMs, long nowMs) {
        this.series = series;
        this.colors = colors;
        this.emptyText = emptyText;
        this.windowMs = windowMs;
        this.nowMs = nowMs;
        draw();
    }

    /** Points drawn in the last redraw, summed over the series. */
    ReadOnlyIntegerProperty plottedProperty() {
        return plotted.getReadOnlyProperty();
    }

    @Override
    protected void layoutChildren() {
        if (canvas.getWidth() != getWidth() || canvas.getHeight() != getHeight()) {
            canvas.setWidth(getWidth());
            canvas.setHeight(getHeight());
            draw();
        }
    }

    private void draw() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        if (w < 10 || h < 10) {
            return;
        }
        double top = 16;
        double bottom = h - 2;
        g.setFill(Color.gray(0.5, 0.12));
        g.fillRoundRect(0, 0, w, h, 6, 6);
        g.setFont(SMALL);
        g.setTextBaseline(VPos.TOP);
        g.setTextAlign(TextAlignment.LEFT);
        g.setFill(Color.gray(0.65));
        g.fillText(title, 4, 2);
        long from = nowMs - windowMs;
        double max = Double.isNaN(fixedMax) ? 0 : fixedMax;
        for (MetricSeries s : series) {
            double m = s.max(s.firstAtOrAfter(from));
            if (Double.isNaN(fixedMax) && !Double.isNaN(m)) {
                max = Math.max(max, m);
            }
        }
        max = max <= 0 ? 1 : max * (Double.isNaN(fixedMax) ? 1.15 : 1);
        int points = 0;
        for (int k = 0; k < series.size(); k++) {
            MetricSeries s = series.get(k);
            int first = s.firstAtOrAfter(from);
            g.setStroke(colors.get(Math.min(k, colors.size() - 1)));
            g.setLineWidth(1.4);
            g.beginPath();
            for (int i = first; i < s.size(); i++) {
                double x = (s.time(i) - from) * w / windowMs;
                double y = bottom - Math.min(1, s.value(i) / max) * (bottom - top);
                if (i == first) {
                    g.moveTo(x, y);
                } else {
                    g.lineTo(x, y);
                }
            }
            g.stroke();
            points += s.size() - first;
        }
        plotted.set(points);
        String scale = format.apply(Double.isNaN(fixedMax) ? max / 1.15 : max);
        // the scale only where it does not run into the title (about 6 px a character at this size)
        if (6 * (title.length() + scale.length()) + 12 < w) {
            g.setTextAlign(TextAlignment.RIGHT);
            g.setFill(Color.gray(0.55));
            g.fillText(scale, w - 4, 2);
        }
        String value = series.isEmpty() || series.get(0).size() == 0 ? emptyText : format.apply(series.get(0).last());
        g.setFont(VALUE);
        g.setTextBaseline(VPos.BOTTOM);
        g.setFill(points == 0 ? Color.gray(0.55) : Color.gray(0.92));
        g.fillText(value, w - 4, h - 2);
    }
}
