package dev.stratus.training.augment;

import java.util.SplittableRandom;

/** Stroke-width changes and broken strokes on a square grey canvas. */
final class Morphology {

    private Morphology() {
    }

    /** Grey dilation with a plus-shaped element: strokes about one pixel thicker. */
    static float[] dilate(float[] src, int side) {
        float[] out = new float[src.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float m = src[y * side + x];
                if (x > 0) {
                    m = Math.max(m, src[y * side + x - 1]);
                }
                if (x < side - 1) {
                    m = Math.max(m, src[y * side + x + 1]);
                }
                if (y > 0) {
                    m = Math.max(m, src[(y - 1) * side + x]);
                }
                if (y < side - 1) {
                    m = Math.max(m, src[(y + 1) * side + x]);
                }
                out[y * side + x] = m;
            }
        }
        return out;
    }

    /**
     * A thinner stroke: the average of the image and its grey erosion, which dims stroke edges
     * without erasing the thin strokes that a full erosion would break.
     */
    static float[] thin(float[] src, int side) {
        float[] out = new float[src.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float m = src[y * side + x];
                m = Math.min(m, x > 0 ? src[y * side + x - 1] : 0f);
                m = Math.min(m, x < side - 1 ? src[y * side + x + 1] : 0f);
                m = Math.min(m, y > 0 ? src[(y - 1) * side + x] : 0f);
                m = Math.min(m, y < side - 1 ? src[(y + 1) * side + x] : 0f);
                out[y * side + x] = (src[y * side + x] + m) / 2f;
            }
        }
        return out;
    }

    /** Erases a 2x2 to 3x3 patch centred on a random ink pixel. */
    static void eraseGap(float[] canvas, int side, SplittableRandom random) {
        int ink = 0;
        for (float v : canvas) {
            if (v > 0.5f) {
                ink++;
            }
        }
        if (ink < 20) {
            return;
        }
        int target = random.nextInt(ink);
        for (int i = 0; i < canvas.length; i++) {
            if (canvas[i] > 0.5f && target-- == 0) {
                int size = 2 + random.nextInt(2);
                int cx = i % side;
                int cy = i / side;
                for (int y = cy - size / 2; y < cy - size / 2 + size; y++) {
                    for (int x = cx - size / 2; x < cx - size / 2 + size; x++) {
                        if (x >= 0 && y >= 0 && x < side && y < side) {
                            canvas[y * side + x] = 0f;
                        }
                    }
                }
                return;
            }
        }
    }
}
