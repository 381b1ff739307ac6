package dev.stratus.core.explain;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.verdict.Calibration;

/**
 * Which parts of a 28x28 input moved the answer: a {@value #PATCH}x{@value #PATCH} black patch is
 * slid over the image in steps of {@value #STRIDE} px, the original and every occluded copy are
 * classified in one batch, and each pixel gets the mean drop of the digit's calibrated
 * probability over the patches that covered it (positive: the ink there supports the digit).
 */
public final class Occlusion {
    public static final int PATCH = 6;
    public static final int STRIDE = 2;
    /** Patch positions along one side: 0, 2, ..., 22. */
    static final int POSITIONS = (Mnist.SIDE - PATCH) / STRIDE + 1;

    private Occlusion() {
    }

    /** The heatmap, row-major 28x28, of {@code digit}'s probability on {@code image}. */
    public static float[] heatmap(OnnxClassifier classifier, Calibration calibration, DigitImage image, int digit) {
        int copies = POSITIONS * POSITIONS;
        float[] original = image.pixels();
        float[] batch = new float[(copies + 1) * Mnist.PIXELS];
        System.arraycopy(original, 0, batch, 0, Mnist.PIXELS);
        for (int k = 0; k < copies; k++) {
            int offset = (k + 1) * Mnist.PIXELS;
            System.arraycopy(original, 0, batch, offset, Mnist.PIXELS);
            int px = (k % POSITIONS) * STRIDE;
            int py = (k / POSITIONS) * STRIDE;
            for (int y = py; y < py + PATCH; y++) {
                java.util.Arrays.fill(batch, offset + y * Mnist.SIDE + px, offset + y * Mnist.SIDE + px + PATCH, 0f);
            }
        }
        float[] raw = classifier.probabilities(batch, copies + 1);
        float base = probability(raw, 0, digit, calibration);
        double[] drop = new double[Mnist.PIXELS];
        int[] covered = new int[Mnist.PIXELS];
        for (int k = 0; k < copies; k++) {
            float change = base - probability(raw, k + 1, digit, calibration);
            int px = (k % POSITIONS) * STRIDE;
            int py = (k / POSITIONS) * STRIDE;
            for (int y = py; y < py + PATCH; y++) {
                for (int x = px; x < px + PATCH; x++) {
                    drop[y * Mnist.SIDE + x] += change;
                    covered[y * Mnist.SIDE + x]++;
                }
            }
        }
        float[] heatmap = new float[Mnist.PIXELS];
        for (int i = 0; i < heatmap.length; i++) {
            heatmap[i] = (float) (drop[i] / covered[i]);
        }
        return heatmap;
    }

    private static float probability(float[] raw, int row, int digit, Calibration calibration) {
        float[] p = java.util.Arrays.copyOfRange(raw, row * Mnist.CLASSES, (row + 1) * Mnist.CLASSES);
        return calibration.apply(p)[digit];
    }
}
