package dev.stratus.training.augment;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.image.StrokeRenderer;
import dev.stratus.core.image.Strokes;
import dev.stratus.core.mnist.Skeletons;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An MNIST digit redrawn as the page's strokes path draws it: the ink thinned to its skeleton and
 * traced into polylines ({@link Skeletons}), drawn by the server's own {@link StrokeRenderer} with
 * a round pen of one width, and preprocessed back to 28x28. MNIST's pens vary in width along a
 * stroke and from writer to writer; a drawing sent as strokes never does, and a network that has
 * only seen MNIST reads some of those drawings wrong (docs/benchmarks.md, issue 17). The pen is
 * drawn from around the server's {@link StrokeRenderer#PEN_RATIO}, so the network also sees
 * somewhat thinner and bolder pens. Thread-safe.
 */
public final class Redrawing {
    /** The narrowest pen, as a share of the renderer's side. */
    public static final float MIN_PEN = 0.09f;
    /** The widest pen, as a share of the renderer's side. */
    public static final float MAX_PEN = 0.15f;
    /**
     * The height digits are redrawn at before the preprocessing shrinks them to 20 px: a quarter
     * of the pixels of the server's {@link StrokeRenderer#SIDE}, 0.9 ms a digit instead of 2.8 ms
     * here, for the same 28x28 digit to within 4 % of its ink (mean over 300 MNIST test digits;
     * at 56 px 15 %, as the preprocessing's box moves by a fraction of a pixel).
     */
    static final int SIDE = 80;

    private final StrokeRenderer renderer = new StrokeRenderer();
    private final Preprocessor preprocessor;

    public Redrawing(Preprocessor preprocessor) {
        this.preprocessor = preprocessor;
    }

    /** {@code digit} (28x28, bright ink) redrawn with a pen drawn from [{@link #MIN_PEN}, {@link #MAX_PEN}); itself if it has no skeleton. */
    public GreyImage apply(GreyImage digit, SplittableRandom random) {
        return apply(digit, (float) random.nextDouble(MIN_PEN, MAX_PEN));
    }

    /** {@code digit} redrawn with a pen of {@code pen} times the renderer's side; itself if it has no skeleton. */
    public GreyImage apply(GreyImage digit, float pen) {
        List<float[]> lines = Skeletons.of(digit);
        if (lines.isEmpty()) {
            return digit;
        }
        try {
            float[] pixels = preprocessor.apply(renderer.render(new Strokes(lines), pen, SIDE)).pixels();
            return new GreyImage(Mnist.SIDE, Mnist.SIDE, pixels);
        } catch (IllegalArgumentException e) {
            // Blank after rendering (BlankImageException), or more strokes than a drawing may have.
            return digit;
        }
    }
}
