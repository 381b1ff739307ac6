package dev.stratus.core.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Line charts side by side in one PNG: training curves, accuracy against time. */
public final class LineChart {
    /** Colours for the series of a panel, in order. */
    public static final List<Color> PALETTE = List.of(
            new Color(21, 101, 192), new Color(230, 81, 0), new Color(46, 125, 50), new Color(106, 27, 154));

    private static final int PANEL_W = 460;
    private static final int PANEL_H = 340;
    private static final int MARGIN_L = 70;
    private static final int MARGIN_R = 20;
    private static final int MARGIN_T = 70;
    private static final int MARGIN_B = 55;

    /** One named line. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y");
            }
        }
    }

    /** One chart: a title, axis labels and its lines. */
    public record Panel(String title, String xLabel, String yLabel, List<Series> series) {
    }

    private LineChart() {
    }

    public static void write(String title, List<Panel> panels, Path file) throws IOException {
        int width = panels.size() * (PANEL_W + MARGIN_L + MARGIN_R);
        int height = PANEL_H + MARGIN_T + MARGIN_B + 20;
        BufferedImage image = Charts.canvas(width, height);
        Graphics2D g = image.createGraphics();
        Charts.smooth(g);
        g.setColor(Charts.TEXT);
        g.setFont(Charts.TITLE_FONT);
        g.drawString(title, 20, 28);
        for (int i = 0; i < panels.size(); i++) {
            drawPanel(g, panels.get(i), i * (PANEL_W + MARGIN_L + MARGIN_R) + MARGIN_L, MARGIN_T);
        }
        g.dispose();
        Charts.writePng(image, file);
    }

    private static void drawPanel(Graphics2D g, Panel panel, int left, int top) {
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Series s : panel.series()) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    minX = Math.min(minX, s.x()[i]);
                    maxX = Math.max(maxX, s.x()[i]);
                    minY = Math.min(minY, s.y()[i]);
                    maxY = Math.max(maxY, s.y()[i]);
                }
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        double pad = (maxY - minY) * 0.05;
        if (pad == 0) {
            pad = Math.max(1e-3, Math.abs(maxY) * 0.05);
        }
        minY -= pad;
        maxY += pad;

        g.setFont(Charts.LABEL_FONT);
        g.setColor(Charts.TEXT);
        g.drawString(panel.title(), left, top - 30);
        for (int t = 0; t <= 5; t++) {
            double v = minY + (maxY - minY) * t / 5;
            int y = top + PANEL_H - (int) Math.round(PANEL_H * t / 5.0);
            g.setColor(Charts.GRID);
            g.drawLine(left, y, left + PANEL_W, y);
            g.setColor(Charts.TEXT);
            g.drawString(format(v, maxY - minY), left - 60, y + 5);
        }
        for (int t = 0; t <= 5; t++) {
            double v = minX + (maxX - minX) * t / 5;
            int x = left + (int) Math.round(PANEL_W * t / 5.0);
            g.drawString(format(v, maxX - minX), x - 10, top + PANEL_H + 20);
        }
        g.drawRect(left, top, PANEL_W, PANEL_H);
        g.drawString(panel.xLabel(), left + PANEL_W / 2 - 30, top + PANEL_H + 42);
        Charts.drawRotated(g, panel.yLabel(), left - 62, top + PANEL_H / 2 + 40, -Math.PI / 2);

        for (int si = 0; si < panel.series().size(); si++) {
            Series s = panel.series().get(si);
            Color color = PALETTE.get(si % PALETTE.size());
            g.setColor(color);
            g.setStroke(new BasicStroke(2.2f));
            Path2D.Double line = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) {
                    continue;
                }
                double px = left + PANEL_W * (s.x()[i] - minX) / (maxX - minX);
                double py = top + PANEL_H - PANEL_H * (s.y()[i] - minY) / (maxY - minY);
                if (started) {
                    line.lineTo(px, py);
                } else {
                    line.moveTo(px, py);
                    started = true;
                }
                g.fillOval((int) px - 3, (int) py - 3, 6, 6);
            }
            g.draw(line);
            g.setStroke(new BasicStroke(1f));
            g.fillRect(left + 10 + si * 150, top - 20, 14, 4);
            g.setColor(Charts.TEXT);
            g.drawString(s.name(), left + 30 + si * 150, top - 14);
        }
    }

    private static String format(double v, double range) {
        if (range < 0.05) {
            return String.format("%.4f", v);
        }
        if (range < 5) {
            return String.format("%.2f", v);
        }
        return String.format("%.0f", v);
    }
}
