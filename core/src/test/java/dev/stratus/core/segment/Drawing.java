package dev.stratus.core.segment;

import dev.stratus.core.image.GreyImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;

/** Digits drawn with round strokes, as a person draws them on the page's canvas, for geometry tests. */
final class Drawing {
    private final BufferedImage canvas;
    private final Graphics2D g;

    Drawing(int width, int height) {
        System.setProperty("java.awt.headless", "true");
        canvas = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(7f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    }

    Drawing stroke(Shape shape) {
        g.draw(shape);
        return this;
    }

    Drawing line(double x0, double y0, double x1, double y1) {
        return stroke(new Line2D.Double(x0, y0, x1, y1));
    }

    /** A 0 of 60 px by 40 px with its left edge at {@code x}. */
    Drawing zero(double x, double top) {
        return stroke(new Ellipse2D.Double(x + 4, top + 4, 32, 56));
    }

    Drawing one(double x, double top) {
        return line(x + 4, top + 4, x + 4, top + 60);
    }

    Drawing seven(double x, double top) {
        return line(x + 4, top + 4, x + 36, top + 4).line(x + 36, top + 4, x + 14, top + 60);
    }

    /** A 5 whose top bar floats free: it starts {@code barGap} px right of the stem's top. */
    Drawing fiveWithLooseBar(double x, double top, double barGap) {
        line(x + 6 + barGap, top + 4, x + 36, top + 4);
        line(x + 6, top + 6, x + 4, top + 28);
        return stroke(new Arc2D.Double(x - 2, top + 22, 40, 38, 150, -285, Arc2D.OPEN));
    }

    /** The drawing, white ink on black, or black ink on white paper. */
    GreyImage image(boolean darkOnLight) {
        byte[] bytes = (byte[]) canvas.getRaster().getDataElements(0, 0, canvas.getWidth(), canvas.getHeight(), null);
        GreyImage image = GreyImage.fromUnsignedBytes(canvas.getWidth(), canvas.getHeight(), bytes, 0);
        if (!darkOnLight) {
            return image;
        }
        float[] inverted = image.pixels().clone();
        for (int i = 0; i < inverted.length; i++) {
            inverted[i] = 1f - inverted[i];
        }
        return new GreyImage(image.width(), image.height(), inverted);
    }
}
