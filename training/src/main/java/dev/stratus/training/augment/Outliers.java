package dev.stratus.training.augment;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.image.StrokeRenderer;
import dev.stratus.core.image.Strokes;
import dev.stratus.core.mnist.Scribbles;
import java.util.SplittableRandom;

/**
 * Drawings that are not a digit, for outlier exposure (Hendrycks, Mazeika and Dietterich, 2019):
 * the network learns to spread its probability evenly over the ten digits for them, so that its
 * calibrated confidence, and with it the abstain threshold, tells a scribble from a digit. A
 * network trained on digits alone is confident on most scribbles (docs/benchmarks.md, issue 17).
 * Each is a {@link Scribbles#random scribble} or a {@link Scribbles#blob blob}, drawn either as the
 * strokes path draws it (the server's renderer, a pen of {@link Redrawing}'s widths) or as the
 * page's canvas holds it (a 20 px pen at the drawing's own scale), then preprocessed as served.
 * The caller's generator makes them repeatable; the benchmark's and calibration's seeds are
 * different streams. Thread-safe.
 */
public final class Outliers {
    /** The weight of an outlier's loss (cross-entropy to the uniform distribution) beside a digit's. */
    public static final float WEIGHT = 0.5f;
    /** The page's pen, in canvas pixels. */
    private static final float PAGE_PEN = 20f;
    private static final double SCRIBBLE_SHARE = 0.6;
    private static final int SIDE = 40;

    private final StrokeRenderer renderer = new StrokeRenderer();
    private final Preprocessor preprocessor;

    public Outliers(Preprocessor preprocessor) {
        this.preprocessor = preprocessor;
    }

    /** One outlier, preprocessed: 784 pixels. */
    public float[] next(SplittableRandom random) {
        while (true) {
            boolean scribble = random.nextDouble() < SCRIBBLE_SHARE;
            Strokes drawing = scribble ? Scribbles.random(random) : Scribbles.blob(random);
            // A blob on the page's canvas is too small to read (the prechecks' verdict); only its
            // strokes reach the model, so only those are drawn with the page's pen.
            float pen = scribble && random.nextBoolean()
                    ? pagePen(drawing) : (float) random.nextDouble(Redrawing.MIN_PEN, Redrawing.MAX_PEN);
            // Drawn small (nothing here needs the digits' finer anti-aliasing), a wide pen smaller still.
            int side = Math.max(20, Math.min(SIDE, Math.round(10 / pen)));
            try {
                return preprocessor.apply(renderer.render(drawing, pen, side)).pixels();
            } catch (BlankImageException e) {
                // Too little ink to preprocess: draw another.
            }
        }
    }

    /** The page's 20 px pen as a share of the drawing's size, as the renderer measures it. */
    private static float pagePen(Strokes drawing) {
        float[] b = drawing.bounds();
        float reference = Math.max(1f, Math.max(b[3] - b[1], (b[2] - b[0]) / 2));
        return Math.min(1f, PAGE_PEN / reference);
    }
}
