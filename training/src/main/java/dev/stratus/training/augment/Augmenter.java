package dev.stratus.training.augment;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import java.util.SplittableRandom;

/**
 * Distorts a raw digit image, then runs the serving preprocessing on it, so that the network
 * trains on exactly the kind of input it will serve. Thread-safe: all randomness comes from the
 * caller's generator, which makes a seeded run repeatable.
 */
public final class Augmenter {
    /** The distorted digit is drawn on a canvas this large so that rotation does not clip it. */
    private static final int CANVAS = 36;
    private static final int FIELDS = 256;

    private final Augmentation settings;
    private final Preprocessor preprocessor;
    private final float[][] elasticFields;
    private final Redrawing redrawing;

    public Augmenter(Augmentation settings, Preprocessor preprocessor, long seed) {
        this.settings = settings;
        this.preprocessor = preprocessor;
        this.redrawing = new Redrawing(preprocessor);
        this.elasticFields = settings.elasticAlpha() > 0
                ? ElasticFields.generate(FIELDS, CANVAS, settings.elasticAlpha(), settings.elasticSigma(), seed)
                : new float[0][];
    }

    /**
     * One random variant of {@code image} (redrawn as strokes, then distorted, either or both or
     * neither), preprocessed; the undistorted image if distortion erased it.
     */
    public DigitImage apply(GreyImage raw, SplittableRandom random) {
        GreyImage image = settings.redraw() > 0 && random.nextDouble() < settings.redraw()
                ? redrawing.apply(raw, random) : raw;
        if (random.nextDouble() >= settings.chance()) {
            return preprocessor.apply(image);
        }
        float[] canvas = warp(image, random);
        double roll = random.nextDouble();
        if (roll < settings.thickenChance()) {
            canvas = Morphology.dilate(canvas, CANVAS);
        } else if (roll < settings.thickenChance() + settings.thinChance()) {
            canvas = Morphology.thin(canvas, CANVAS);
        }
        if (random.nextDouble() < settings.gapChance()) {
            Morphology.eraseGap(canvas, CANVAS, random);
        }
        DigitImage digit;
        try {
            digit = preprocessor.apply(new GreyImage(CANVAS, CANVAS, canvas));
        } catch (BlankImageException e) {
            return preprocessor.apply(image);
        }
        return settings.shift() > 0 ? shift(digit, settings.shift(), random) : digit;
    }

    /** Rotation, shear, aspect change and an elastic field, sampled bilinearly onto the canvas. */
    private float[] warp(GreyImage image, SplittableRandom random) {
        double angle = Math.toRadians(uniform(random, settings.rotationDegrees()));
        double shear = uniform(random, settings.shear());
        double aspect = 1 + uniform(random, settings.aspect());
        // Forward map: scale x by aspect, shear x by y, rotate. We need its inverse to sample.
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double a = cos * aspect;
        double b = cos * shear - sin;
        double c = sin * aspect;
        double d = sin * shear + cos;
        double det = a * d - b * c;
        double ia = d / det;
        double ib = -b / det;
        double ic = -c / det;
        double id = a / det;

        float[] field = elasticFields.length == 0 ? null : elasticFields[random.nextInt(elasticFields.length)];
        boolean flipField = random.nextBoolean();
        float[] out = new float[CANVAS * CANVAS];
        double centreOut = (CANVAS - 1) / 2.0;
        double centreInX = (image.width() - 1) / 2.0;
        double centreInY = (image.height() - 1) / 2.0;
        for (int y = 0; y < CANVAS; y++) {
            for (int x = 0; x < CANVAS; x++) {
                double px = x - centreOut;
                double py = y - centreOut;
                if (field != null) {
                    int k = 2 * (y * CANVAS + x);
                    double dx = field[k];
                    double dy = field[k + 1];
                    px += flipField ? -dx : dx;
                    py += flipField ? -dy : dy;
                }
                double sx = ia * px + ib * py + centreInX;
                double sy = ic * px + id * py + centreInY;
                out[y * CANVAS + x] = sample(image, sx, sy);
            }
        }
        return out;
    }

    private static DigitImage shift(DigitImage digit, int limit, SplittableRandom random) {
        int dx = random.nextInt(-limit, limit + 1);
        int dy = random.nextInt(-limit, limit + 1);
        if (dx == 0 && dy == 0) {
            return digit;
        }
        float[] src = digit.pixels();
        float[] out = new float[Mnist.PIXELS];
        for (int y = 0; y < Mnist.SIDE; y++) {
            int sy = y - dy;
            if (sy < 0 || sy >= Mnist.SIDE) {
                continue;
            }
            for (int x = 0; x < Mnist.SIDE; x++) {
                int sx = x - dx;
                if (sx >= 0 && sx < Mnist.SIDE) {
                    out[y * Mnist.SIDE + x] = src[sy * Mnist.SIDE + sx];
                }
            }
        }
        return new DigitImage(out);
    }

    private static float sample(GreyImage image, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double ax = x - x0;
        double ay = y - y0;
        double top = (1 - ax) * pixel(image, x0, y0) + ax * pixel(image, x0 + 1, y0);
        double bottom = (1 - ax) * pixel(image, x0, y0 + 1) + ax * pixel(image, x0 + 1, y0 + 1);
        return (float) Math.min(1, Math.max(0, (1 - ay) * top + ay * bottom));
    }

    private static float pixel(GreyImage image, int x, int y) {
        return x < 0 || y < 0 || x >= image.width() || y >= image.height() ? 0f : image.at(x, y);
    }

    private static double uniform(SplittableRandom random, double limit) {
        return limit == 0 ? 0 : random.nextDouble(-limit, limit);
    }
}
