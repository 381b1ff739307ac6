package dev.stratus.core.mnist;

import dev.stratus.core.image.Strokes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drawings that are not one digit, for choosing and testing verdicts: scribbles (one to three
 * random-walk strokes in a box of 40-220 units), small blobs (a scribble in 10-30 units) and dots
 * (a tap: one to three points within 3 units). Coordinates as the page's canvas, centred at (140, 140).
 */
public final class Scribbles {
    private Scribbles() {
    }

    /** A scribble: 1-3 strokes of 8-40 random moves each inside a box 40-220 units across. */
    public static Strokes random(SplittableRandom random) {
        return walk(random, random.nextDouble(40, 220), 1 + random.nextInt(3), 8, 40);
    }

    /** A blob: a dense scribble 10-30 units across. */
    public static Strokes blob(SplittableRandom random) {
        return walk(random, random.nextDouble(10, 30), 1, 15, 40);
    }

    /** A dot: one to three points within 3 units. */
    public static Strokes dot(SplittableRandom random) {
        int n = 1 + random.nextInt(3);
        float[] xy = new float[2 * n];
        for (int i = 0; i < n; i++) {
            xy[2 * i] = (float) (140 + random.nextDouble(-1.5, 1.5));
            xy[2 * i + 1] = (float) (140 + random.nextDouble(-1.5, 1.5));
        }
        return new Strokes(List.of(xy));
    }

    private static Strokes walk(SplittableRandom random, double box, int strokes, int minMoves, int maxMoves) {
        List<float[]> all = new ArrayList<>();
        double half = box / 2;
        double step = box / 2.5;
        for (int s = 0; s < strokes; s++) {
            int moves = minMoves + random.nextInt(maxMoves - minMoves + 1);
            float[] xy = new float[2 * moves];
            double x = random.nextDouble(-half, half);
            double y = random.nextDouble(-half, half);
            for (int i = 0; i < moves; i++) {
                x = Math.max(-half, Math.min(half, x + random.nextDouble(-step, step)));
                y = Math.max(-half, Math.min(half, y + random.nextDouble(-step, step)));
                xy[2 * i] = (float) (140 + x);
                xy[2 * i + 1] = (float) (140 + y);
            }
            all.add(xy);
        }
        return new Strokes(all);
    }
}
