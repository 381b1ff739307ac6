package dev.stratus.training.augment;

/**
 * How strongly to distort training digits so that they look like digits drawn with a mouse or a
 * finger: slanted, rotated, squeezed, wobbly, thicker or thinner, with gaps.
 *
 * @param chance           share of images distorted at all; the rest train as they are, so the
 *                         network keeps seeing clean digits too
 * @param rotationDegrees  rotation drawn uniformly from +-this
 * @param shear            horizontal shear (slant) drawn uniformly from +-this
 * @param aspect           width scaled by a factor drawn from [1 - aspect, 1 + aspect]
 * @param elasticAlpha     elastic distortion strength in pixels (Simard et al. 2003), 0 for none
 * @param elasticSigma     smoothness of the elastic field in pixels
 * @param thickenChance    chance of a stroke one pixel thicker
 * @param thinChance       chance of a thinner stroke
 * @param gapChance        chance of erasing a small patch of ink (a broken stroke)
 * @param shift            pixels the centred digit may be moved by, for imperfect centring
 * @param redraw           share of images first redrawn as the strokes path draws them (a
 *                         round pen of one width along the digit's skeleton: {@link Redrawing}),
 *                         whether distorted afterwards or not
 */
public record Augmentation(double chance, double rotationDegrees, double shear, double aspect, double elasticAlpha,
                           double elasticSigma, double thickenChance, double thinChance, double gapChance,
                           int shift, double redraw) {

    public static final Augmentation NONE = new Augmentation(0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0);
    public static final Augmentation DRAWN_DIGITS =
            new Augmentation(0.7, 15, 0.3, 0.2, 1.0, 4, 0.25, 0.15, 0.05, 1, 0.3);

    public Augmentation {
        if (rotationDegrees < 0 || shear < 0 || aspect < 0 || aspect >= 1 || elasticAlpha < 0 || elasticSigma <= 0
                || shift < 0) {
            throw new IllegalArgumentException("augmentation strengths must be non-negative (aspect below 1)");
        }
        for (double p : new double[] {chance, thickenChance, thinChance, gapChance, redraw}) {
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("augmentation chances must lie in [0, 1], got " + p);
            }
        }
        if (thickenChance + thinChance > 1) {
            throw new IllegalArgumentException("thicken and thin chances add up to more than 1");
        }
    }

    public boolean enabled() {
        return chance > 0 || redraw > 0;
    }

    /** The same settings with another share of redrawn images. */
    public Augmentation withRedraw(double share) {
        return new Augmentation(chance, rotationDegrees, shear, aspect, elasticAlpha, elasticSigma, thickenChance,
                thinChance, gapChance, shift, share);
    }
}
