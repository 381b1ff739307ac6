package dev.stratus.core.segment;

import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import java.util.List;

/**
 * What the ink of an image looks like before any scaling, to say when it cannot be one readable
 * digit: too little of it, or so small that the pen filled it into a blob ({@link #tooSmall}),
 * or pieces side by side, or a drawing much wider than a digit, which may be several digits and
 * are worth reading as a number ({@link #maybeSeveral}). The thresholds were measured on
 * MNIST test digits and on dots and blobs (docs/benchmarks.md, "Drawn digits and verdicts").
 */
public record InkShape(int width, int height, int inkPixels, double fill, int pieces, boolean separated) {
    /** The ink's longer side below this many pixels is too small to read. */
    public static final int MIN_SIDE = 8;
    /** Fewer ink pixels than this is too little ink. */
    public static final int MIN_INK_PIXELS = 24;
    /**
     * One piece filling more than this share of its box, and about as wide as tall, is a blob: a
     * filled disc fills 0.72-0.785 of its box once pixelated, a 0 drawn 50 px tall with the page's
     * 20 px pen about 0.64 (docs/benchmarks.md, "Drawn digits and verdicts", for MNIST's share).
     */
    public static final double BLOB_FILL = 0.66;
    /** A blob's longer side is at most this many times its shorter one. */
    public static final double BLOB_ASPECT = 1.6;
    /** Ink this many times wider than tall may be several digits (then the numbers reader decides). */
    public static final double WIDE = 1.6;
    /** Two pieces overlapping by less than this share of the narrower one's width stand side by side... */
    static final double SIDE_BY_SIDE = 0.3;
    /** ...when both are at least this share of the tallest piece's height (not a digit's detached stroke). */
    static final double DIGIT_HEIGHT = 0.6;

    /** The shape of {@code image}'s ink (either polarity, as the preprocessing reads it). */
    public static InkShape of(GreyImage image) {
        float[] ink = Preprocessor.inkOnBlack(image);
        int w = image.width();
        float max = 0f;
        for (float v : ink) {
            max = Math.max(max, v);
        }
        if (max < Preprocessor.MIN_INK) {
            return new InkShape(0, 0, 0, 0, 0, false);
        }
        float threshold = Preprocessor.INK_THRESHOLD * max;
        boolean[] mask = new boolean[ink.length];
        int count = 0;
        for (int i = 0; i < ink.length; i++) {
            mask[i] = ink[i] >= threshold;
            if (mask[i]) {
                count++;
            }
        }
        List<InkComponents.Component> all = InkComponents.of(mask, w).components();
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        for (InkComponents.Component c : all) {
            x0 = Math.min(x0, c.x0());
            y0 = Math.min(y0, c.y0());
            x1 = Math.max(x1, c.x1());
            y1 = Math.max(y1, c.y1());
        }
        int bw = x1 - x0 + 1;
        int bh = y1 - y0 + 1;
        List<InkComponents.Component> pieces = Atoms.withoutSpecks(all, Atoms.referenceHeight(all));
        int tallest = 0;
        for (InkComponents.Component c : pieces) {
            tallest = Math.max(tallest, c.height());
        }
        List<InkComponents.Component> digitSized = new java.util.ArrayList<>();
        for (InkComponents.Component c : pieces) {
            if (c.height() >= DIGIT_HEIGHT * tallest) {
                digitSized.add(c);
            }
        }
        return new InkShape(bw, bh, count, count / (double) (bw * bh), pieces.size(), sideBySide(digitSized));
    }

    /** Too little ink, too small, or a blob. */
    public boolean tooSmall() {
        if (Math.max(width, height) < MIN_SIDE || inkPixels < MIN_INK_PIXELS) {
            return true;
        }
        double aspect = Math.max(width, height) / (double) Math.min(width, height);
        return pieces <= 1 && fill > BLOB_FILL && aspect <= BLOB_ASPECT;
    }

    /** Pieces side by side, or ink much wider than tall: worth reading as a number. */
    public boolean maybeSeveral() {
        return separated || width > WIDE * height;
    }

    /** True when two of the pieces (left to right) barely overlap horizontally. */
    private static boolean sideBySide(List<InkComponents.Component> pieces) {
        for (int i = 0; i < pieces.size(); i++) {
            for (int j = i + 1; j < pieces.size(); j++) {
                InkComponents.Component a = pieces.get(i);
                InkComponents.Component b = pieces.get(j);
                int overlap = Math.min(a.x1(), b.x1()) - Math.max(a.x0(), b.x0()) + 1;
                if (overlap < SIDE_BY_SIDE * Math.min(a.width(), b.width())) {
                    return true;
                }
            }
        }
        return false;
    }
}
