package dev.stratus.core.segment;

/**
 * How digit-like a candidate piece's shape is, as a log factor beside the classifier's
 * probability: a piece much shorter than the line's tallest digit (a loose bar, a fragment), or
 * wider or narrower than the digit it was read as ever is in MNIST (two digits squeezed into one,
 * half a 0), is unlikely to be that digit, whatever the network, which has only ever seen
 * single digits, makes of it.
 */
final class PiecePrior {
    /** Pieces shorter than this share of the reference height pay {@link #SHORT_COST} per share below. */
    static final double SHORT = 0.5;
    static final double SHORT_COST = 16;
    /**
     * The 5th and 95th percentiles of width / height of each digit's ink box (threshold 0.2) in
     * the 60,000 MNIST training images; outside them a piece pays {@link #ASPECT_COST} per unit.
     */
    static final double[] NARROWEST = {0.65, 0.2, 0.65, 0.55, 0.55, 0.6, 0.5, 0.55, 0.5, 0.5};
    static final double[] WIDEST = {1.25, 0.8, 1.33, 1.11, 1.11, 1.43, 1.0, 1.05, 1.05, 0.95};
    static final double ASPECT_COST = 10;
    /**
     * Log factor for each cut through a component: ink that is connected is one digit unless the
     * pieces are clearly likelier digits than the whole.
     */
    static final double CUT = -1;

    private PiecePrior() {
    }

    static double logPrior(Box box, int reference, int digit) {
        double height = (double) box.height() / reference;
        double aspect = (double) box.width() / box.height();
        double prior = 0;
        if (height < SHORT) {
            prior -= SHORT_COST * (SHORT - height);
        }
        if (aspect > WIDEST[digit]) {
            prior -= ASPECT_COST * (aspect - WIDEST[digit]);
        } else if (aspect < NARROWEST[digit]) {
            prior -= ASPECT_COST * (NARROWEST[digit] - aspect);
        }
        return prior;
    }
}
