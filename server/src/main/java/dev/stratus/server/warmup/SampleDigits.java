package dev.stratus.server.warmup;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Digits for warming the request path, made on the spot: random pen strokes drawn white on black
 * like the page's canvas, as the API's two body types ({@code {"pixels": [...]}} at 28x28, and a
 * 280x280 PNG). What they look like does not matter, only that every step runs on real ink; the
 * product ships no MNIST.
 */
final class SampleDigits {
    private static final int SIDE = 28;
    private static final int CANVAS = 280;

    private SampleDigits() {
    }

    /** {@code count} JSON bodies of 784 pixels, each a different scribble. */
    static List<byte[]> pixelBodies(int count, long seed) {
        Random random = new Random(seed);
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BufferedImage image = scribble(SIDE, 2.2f, random);
            StringBuilder json = new StringBuilder(4 * SIDE * SIDE).append("{\"pixels\":[");
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    json.append(image.getRaster().getSample(x, y, 0)).append(y == SIDE - 1 && x == SIDE - 1 ? "" : ",");
                }
            }
            bodies.add(json.append("]}").toString().getBytes(StandardCharsets.US_ASCII));
        }
        return bodies;
    }

    /** {@code count} canvas-sized PNG bodies. */
    static List<byte[]> pngBodies(int count, long seed) {
        Random random = new Random(seed);
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            try {
                ImageIO.write(scribble(CANVAS, 22f, random), "png", png);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode a sample PNG", e);
            }
            bodies.add(png.toByteArray());
        }
        return bodies;
    }

    /** Two or three strokes through random points in the middle of a {@code side}-pixel square. */
    private static BufferedImage scribble(int side, float pen, Random random) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, side, side);
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(pen, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Float path = new Path2D.Float();
            path.moveTo(point(side, random), point(side, random));
            for (int i = 0, strokes = 2 + random.nextInt(2); i < strokes; i++) {
                path.quadTo(point(side, random), point(side, random), point(side, random), point(side, random));
            }
            g.draw(path);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static float point(int side, Random random) {
        return side * (0.25f + 0.5f * random.nextFloat());
    }
}
