package dev.stratus.core.image;

/**
 * Draws {@link Strokes} into a grey image whatever size they were drawn at: the strokes' box is
 * scaled so that its height (or half its width, for a drawing more than twice as wide as tall:
 * several digits) is {@link #SIDE} pixels and drawn with a round pen of {@link #PEN_RATIO} of
 * that, anti-aliased (coverage sampled 4x4 per pixel). For a digit, taller than wide, the one
 * preprocessing then scales the box to MNIST's 20 px and the pen is about {@code 20 * PEN_RATIO}
 * px wide, as MNIST's strokes are, so a digit drawn in 20 px and one drawn in 300 px look alike;
 * the digits of a number keep the same pen. Bright ink on black, like the page's canvas.
 */
public final class StrokeRenderer {
    /** The height (or half the width, if more) of the strokes' box in the rendered image. */
    public static final int SIDE = 160;
    /** The pen's width as a share of {@link #SIDE} (measured: docs/benchmarks.md, issue 17). */
    public static final float PEN_RATIO = 0.12f;
    private static final int SUBSAMPLES = 4;

    /** The strokes drawn, scaled to {@link #SIDE} px, with a margin of one pen width. */
    public GreyImage render(Strokes strokes) {
        return render(strokes, PEN_RATIO);
    }

    /** As {@link #render(Strokes)} with another pen (for measuring). */
    public GreyImage render(Strokes strokes, float penRatio) {
        return render(strokes, penRatio, SIDE);
    }

    /**
     * As {@link #render(Strokes, float)} at another scale: {@code side} px instead of {@link #SIDE}.
     * After the preprocessing's resize to 20 px the two differ only in anti-aliasing; training,
     * which redraws tens of thousands of digits, draws them at a fraction of the cost this way.
     */
    public GreyImage render(Strokes strokes, float penRatio, int side) {
        if (side < 20) {
            throw new IllegalArgumentException("strokes are drawn at least 20 px tall, got " + side);
        }
        float[] b = strokes.bounds();
        float reference = Math.max(b[3] - b[1], (b[2] - b[0]) / 2);
        float scale = reference > 0 ? side / reference : 1f;
        float pen = penRatio * side;
        int margin = (int) Math.ceil(pen) + 1;
        int w = Math.max(1, Math.round((b[2] - b[0]) * scale)) + 2 * margin;
        int h = Math.max(1, Math.round((b[3] - b[1]) * scale)) + 2 * margin;
        float[] pixels = new float[w * h];
        float radius = pen / 2;
        for (float[] stroke : strokes.strokes()) {
            int points = stroke.length / 2;
            for (int i = 0; i < points; i++) {
                int j = Math.min(i + 1, points - 1);
                float ax = (stroke[2 * i] - b[0]) * scale + margin;
                float ay = (stroke[2 * i + 1] - b[1]) * scale + margin;
                float bx = (stroke[2 * j] - b[0]) * scale + margin;
                float by = (stroke[2 * j + 1] - b[1]) * scale + margin;
                segment(pixels, w, h, ax, ay, bx, by, radius);
            }
        }
        return new GreyImage(w, h, pixels);
    }

    /** Ink of a round-capped segment: each pixel keeps the highest coverage any segment gives it. */
    private static void segment(float[] pixels, int w, int h, float ax, float ay, float bx, float by, float r) {
        int x0 = Math.max(0, (int) Math.floor(Math.min(ax, bx) - r - 1));
        int x1 = Math.min(w - 1, (int) Math.ceil(Math.max(ax, bx) + r + 1));
        int y0 = Math.max(0, (int) Math.floor(Math.min(ay, by) - r - 1));
        int y1 = Math.min(h - 1, (int) Math.ceil(Math.max(ay, by) + r + 1));
        float dx = bx - ax;
        float dy = by - ay;
        float length2 = dx * dx + dy * dy;
        float r2 = r * r;
        float step = 1f / SUBSAMPLES;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int covered = 0;
                for (int sy = 0; sy < SUBSAMPLES; sy++) {
                    float py = y + (sy + 0.5f) * step;
                    for (int sx = 0; sx < SUBSAMPLES; sx++) {
                        float px = x + (sx + 0.5f) * step;
                        float t = length2 == 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / length2;
                        t = Math.max(0, Math.min(1, t));
                        float ex = ax + t * dx - px;
                        float ey = ay + t * dy - py;
                        if (ex * ex + ey * ey <= r2) {
                            covered++;
                        }
                    }
                }
                float v = covered / (float) (SUBSAMPLES * SUBSAMPLES);
                int i = y * w + x;
                if (v > pixels[i]) {
                    pixels[i] = v;
                }
            }
        }
    }
}
