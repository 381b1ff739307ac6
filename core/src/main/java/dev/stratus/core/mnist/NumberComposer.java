package dev.stratus.core.mnist;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Resampling;
import java.util.Arrays;
import java.util.Random;

/**
 * Composes images of numbers from MNIST digits, for tests and benchmarks of segmentation: random
 * lengths, gaps (with {@link Spacing#TOUCHING}, neighbours that touch or overlap), sizes,
 * baselines and polarity, the same images for the same seed. Give it the MNIST test set only:
 * the model was trained on the training digits.
 */
public final class NumberComposer {

    /** How far apart neighbouring digits' ink boxes are, in pixels (negative: they overlap). */
    public enum Spacing {
        /** 2 to 8 px of background between neighbours. */
        GAPPED(2, 8),
        /** From 4 px of overlap to boxes that just meet. */
        TOUCHING(-4, 0);

        final int min;
        final int max;

        Spacing(int min, int max) {
            this.min = min;
            this.max = max;
        }
    }

    /** What to compose: lengths {@code minLength..maxLength} digits, spaced so. */
    public record Settings(int minLength, int maxLength, Spacing spacing) {
        public static final Settings DEFAULT = new Settings(1, 8, Spacing.GAPPED);

        public Settings {
            if (minLength < 1 || maxLength < minLength) {
                throw new IllegalArgumentException("lengths must satisfy 1 <= min <= max, got " + minLength + "-"
                        + maxLength);
            }
            if (spacing == null) {
                throw new IllegalArgumentException("name a spacing: GAPPED or TOUCHING");
            }
        }
    }

    /**
     * One composed number: the image, its digits as text (leading zeros kept), and for each pixel
     * the position in the label of the digit whose ink is brightest there (-1: background), so
     * that training can tell which ink belongs to which digit where neighbours overlap.
     */
    public record Composed(GreyImage image, String label, int[] owners) {
    }

    /** Digits are scaled by a factor drawn from this range (MNIST's ink is about 20 px tall). */
    static final double MIN_SCALE = 0.8;
    static final double MAX_SCALE = 1.25;
    /** A digit's bottom moves up or down by at most this many pixels from the baseline. */
    static final int BASELINE_JITTER = 3;
    static final int MIN_MARGIN = 4;
    static final int MAX_MARGIN = 12;

    private final LabeledImages digits;
    private final Settings settings;
    private final Random random;

    public NumberComposer(LabeledImages digits, Settings settings, long seed) {
        if (digits.count() == 0) {
            throw new IllegalArgumentException("no digits to compose numbers from");
        }
        this.digits = digits;
        this.settings = settings;
        this.random = new Random(seed);
    }

    /** The next number. */
    public Composed next() {
        int length = settings.minLength() + random.nextInt(settings.maxLength() - settings.minLength() + 1);
        float[][] glyphs = new float[length][];
        int[] widths = new int[length];
        int[] heights = new int[length];
        int[] gaps = new int[length];
        int[] lifts = new int[length];
        StringBuilder label = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int index = random.nextInt(digits.count());
            label.append(digits.label(index));
            double scale = MIN_SCALE + random.nextDouble() * (MAX_SCALE - MIN_SCALE);
            GreyImage digit = digits.image(index);
            int[] box = inkBox(digit);
            widths[i] = Math.max(1, (int) Math.round(box[2] * scale));
            heights[i] = Math.max(1, (int) Math.round(box[3] * scale));
            glyphs[i] = Resampling.resize(digit.pixels(), digit.width(), box[0], box[1], box[2], box[3], widths[i],
                    heights[i]);
            gaps[i] = i == 0 ? 0 : settings.spacing().min
                    + random.nextInt(settings.spacing().max - settings.spacing().min + 1);
            if (i > 0) {
                // Overlap at most a third of the narrower neighbour: a 1 hidden inside a 0 is unreadable.
                gaps[i] = Math.max(gaps[i], -Math.min(widths[i - 1], widths[i]) / 3);
            }
            lifts[i] = random.nextInt(2 * BASELINE_JITTER + 1) - BASELINE_JITTER;
        }
        int margin = MIN_MARGIN + random.nextInt(MAX_MARGIN - MIN_MARGIN + 1);
        int tallest = 0;
        int width = 2 * margin;
        for (int i = 0; i < length; i++) {
            tallest = Math.max(tallest, heights[i]);
            width += widths[i] + gaps[i];
        }
        int height = tallest + 2 * BASELINE_JITTER + 2 * margin;
        int baseline = margin + BASELINE_JITTER + tallest;
        float[] pixels = new float[width * height];
        int[] owners = new int[width * height];
        Arrays.fill(owners, -1);
        int x = margin;
        for (int i = 0; i < length; i++) {
            x += gaps[i];
            paint(pixels, owners, i, width, glyphs[i], widths[i], heights[i], x, baseline - lifts[i] - heights[i]);
            x += widths[i];
        }
        if (random.nextBoolean()) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = 1f - pixels[i];
            }
        }
        return new Composed(new GreyImage(width, height, pixels), label.toString(), owners);
    }

    /** The brightest of what is there and the glyph: overlapping strokes merge as ink does. */
    private static void paint(float[] canvas, int[] owners, int digit, int stride, float[] glyph, int gw, int gh,
                              int left, int top) {
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                int i = (top + y) * stride + left + x;
                float value = glyph[y * gw + x];
                if (value > canvas[i]) {
                    owners[i] = digit;
                }
                canvas[i] = Math.min(1f, Math.max(canvas[i], value));
            }
        }
    }

    /** {x, y, width, height} of the pixels that are not black. */
    private static int[] inkBox(GreyImage digit) {
        int x0 = digit.width(), y0 = digit.height(), x1 = -1, y1 = -1;
        for (int y = 0; y < digit.height(); y++) {
            for (int x = 0; x < digit.width(); x++) {
                if (digit.at(x, y) > 0f) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return new int[] {0, 0, digit.width(), digit.height()};
        }
        return new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }
}
