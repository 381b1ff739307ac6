package dev.stratus.core.image;

import java.util.List;

/**
 * A drawing as its pen strokes: each stroke the points the pen passed, {@code x0, y0, x1, y1,
 * ...}, in the drawing surface's own coordinates (any scale, y down). Validated here, so that
 * a renderer never meets a bad one: at least one point, finite coordinates, within bounds.
 */
public record Strokes(List<float[]> strokes) {
    /** At most this many strokes. */
    public static final int MAX_STROKES = 64;
    /** At most this many points over all strokes. */
    public static final int MAX_POINTS = 4096;
    /** No coordinate beyond this magnitude. */
    public static final double MAX_COORDINATE = 1e5;

    public Strokes {
        if (strokes == null || strokes.isEmpty()) {
            throw new IllegalArgumentException("a drawing has at least one stroke");
        }
        if (strokes.size() > MAX_STROKES) {
            throw new IllegalArgumentException("at most " + MAX_STROKES + " strokes, got " + strokes.size());
        }
        int points = 0;
        for (float[] stroke : strokes) {
            if (stroke == null || stroke.length < 2 || stroke.length % 2 != 0) {
                throw new IllegalArgumentException("a stroke is one or more [x, y] points");
            }
            points += stroke.length / 2;
            for (float v : stroke) {
                if (!(Math.abs(v) <= MAX_COORDINATE)) {
                    throw new IllegalArgumentException("coordinates are finite numbers within +-" + MAX_COORDINATE
                            + ", got " + v);
                }
            }
        }
        if (points > MAX_POINTS) {
            throw new IllegalArgumentException("at most " + MAX_POINTS + " points in all, got " + points);
        }
        strokes = List.copyOf(strokes);
    }

    /** The bounding box of every point: {@code {minX, minY, maxX, maxY}}. */
    public float[] bounds() {
        float[] b = {Float.MAX_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (float[] stroke : strokes) {
            for (int i = 0; i < stroke.length; i += 2) {
                b[0] = Math.min(b[0], stroke[i]);
                b[1] = Math.min(b[1], stroke[i + 1]);
                b[2] = Math.max(b[2], stroke[i]);
                b[3] = Math.max(b[3], stroke[i + 1]);
            }
        }
        return b;
    }

    /** The longer side of the bounding box, in the drawing's units. */
    public float extent() {
        float[] b = bounds();
        return Math.max(b[2] - b[0], b[3] - b[1]);
    }
}
