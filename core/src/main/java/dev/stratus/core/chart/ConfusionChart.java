package dev.stratus.core.chart;

import dev.stratus.core.evaluation.ConfusionMatrix;
import dev.stratus.core.image.Mnist;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Draws a confusion matrix as a heat map, counts in each cell, rows the true digits. */
public final class ConfusionChart {
    private static final int CELL = 54;
    private static final int LEFT = 90;
    private static final int TOP = 80;

    private ConfusionChart() {
    }

    public static void write(ConfusionMatrix matrix, String title, Path file) throws IOException {
        int size = LEFT + CELL * Mnist.CLASSES + 30;
        BufferedImage image = Charts.canvas(size, TOP + CELL * Mnist.CLASSES + 40);
        Graphics2D g = image.createGraphics();
        Charts.smooth(g);
        g.setColor(Charts.TEXT);
        g.setFont(Charts.TITLE_FONT);
        g.drawString(title, 20, 30);
        g.setFont(Charts.LABEL_FONT);
        g.drawString("predicted digit", LEFT + CELL * 4, 55);
        Charts.drawRotated(g, "true digit", 25, TOP + CELL * 6, -Math.PI / 2);

        int max = 1;
        for (int d = 0; d < Mnist.CLASSES; d++) {
            for (int p = 0; p < Mnist.CLASSES; p++) {
                if (d != p) {
                    max = Math.max(max, matrix.get(d, p));
                }
            }
        }
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        for (int d = 0; d < Mnist.CLASSES; d++) {
            g.setColor(Charts.TEXT);
            g.setFont(Charts.LABEL_FONT);
            g.drawString(Integer.toString(d), LEFT - 20, TOP + d * CELL + CELL / 2 + 5);
            g.drawString(Integer.toString(d), LEFT + d * CELL + CELL / 2 - 4, TOP - 8);
            for (int p = 0; p < Mnist.CLASSES; p++) {
                int n = matrix.get(d, p);
                Color fill = d == p ? new Color(46, 125, 50)
                        : Charts.blend(Color.WHITE, new Color(198, 40, 40), Math.sqrt((double) n / max));
                g.setColor(fill);
                g.fillRect(LEFT + p * CELL, TOP + d * CELL, CELL - 2, CELL - 2);
                g.setColor(d == p || n > max / 2 ? Color.WHITE : Charts.TEXT);
                g.setFont(cellFont);
                String label = Integer.toString(n);
                int w = g.getFontMetrics().stringWidth(label);
                g.drawString(label, LEFT + p * CELL + (CELL - 2 - w) / 2, TOP + d * CELL + CELL / 2 + 4);
            }
        }
        g.dispose();
        Charts.writePng(image, file);
    }
}
