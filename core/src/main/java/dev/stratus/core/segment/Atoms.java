package dev.stratus.core.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The over-segmentation: the smallest pieces a digit can be made of. Every component that is not
 * a speck is one atom, except that a component that may be two or more touching digits is cut
 * into vertical bands a few pixels wide ({@link #bandWidth}). Which atoms go together is left to
 * the networks ({@link Segmenter}); the atoms only bound the choices. Bands of one component may
 * be read twice, by the digits on either side of an overlap ({@link Lattice#earliestStart}):
 * where digits overlap, the ink in between is both digits', and no cut between disjoint pieces
 * gives each its own.
 */
final class Atoms {

    /**
     * One slice of a component: its ink is the component's pixels {@code (x, y)} with
     * {@code left[y - top] <= x <= right[y - top]} (the whole component where {@code left} is
     * null); {@code xFrom..xTo} and {@code y0..y1} bound that ink, and {@code slice} counts the
     * component's slices from the left.
     */
    record Atom(int component, int slice, int xFrom, int xTo, int y0, int y1, int top, int[] left, int[] right) {
        double centre() {
            return (xFrom + xTo) / 2.0;
        }

        boolean contains(int component, int x, int y) {
            return component == this.component
                    && (left == null ? x >= xFrom && x <= xTo : x >= left[y - top] && x <= right[y - top]);
        }
    }

    /**
     * A component wider than this share of its height is always cut into bands: it is two or
     * more touching digits, or one wide digit whose bands the verifier rejects.
     */
    static final double WIDE = 1.0;
    /**
     * A component wider than this share of its height may still be two touching digits (two
     * narrow digits overlapping side by side); {@link Segmenter} cuts it too when the verifier
     * doubts that it is one digit, so that most single digits cost one piece. The right reading
     * of touching numbers is in the lattice for 92.3 % of them when only {@link #WIDE} components
     * are cut, 97.7 % at 0.75, 99.3 % at 0.6 (600 held-out numbers, train-verifier --survey);
     * cutting at 0.6 always would triple a gapped number's pieces and miss the 10 ms target.
     */
    static final double MAYBE_WIDE = 0.6;
    /** A band of a cut component is this share of the reference height wide (at least 2 px). */
    static final double BAND_SHARE = 0.12;
    /** A component shorter than this share of the reference height is a bar or a fragment, never cut. */
    static final double BAR = 0.5;
    /** A component is a speck when both its sides are below this share of the tallest component's height... */
    static final double SPECK_SIDE = 0.25;
    /** ...and its area is below this share of that height squared. */
    static final double SPECK_AREA = 0.02;
    /** Without a component of at least this height and area, the image holds noise, not digits. */
    static final int MIN_DIGIT_HEIGHT = 6;
    static final int MIN_DIGIT_AREA = 10;

    private Atoms() {
    }

    /** The tallest component's height: what "digit-sized" is measured against. */
    static int referenceHeight(List<InkComponents.Component> components) {
        int tallest = 0;
        for (InkComponents.Component c : components) {
            if (c.area() >= MIN_DIGIT_AREA) {
                tallest = Math.max(tallest, c.height());
            }
        }
        return tallest;
    }

    /** The components that are not specks, left to right by their centre. */
    static List<InkComponents.Component> withoutSpecks(List<InkComponents.Component> components, int reference) {
        double side = SPECK_SIDE * reference;
        double area = SPECK_AREA * reference * reference;
        List<InkComponents.Component> kept = new ArrayList<>();
        for (InkComponents.Component c : components) {
            boolean speck = c.width() < side && c.height() < side && c.area() < area;
            if (!speck && c.area() >= 2) {
                kept.add(c);
            }
        }
        return kept;
    }

    /** The atoms of these components, left to right by centre, those {@link #cuttable} at {@code wide} in bands. */
    static List<Atom> of(InkComponents ink, List<InkComponents.Component> components, int reference, double wide) {
        List<Atom> atoms = new ArrayList<>();
        for (InkComponents.Component c : components) {
            if (!cuttable(c.width(), c.height(), reference, wide)) {
                atoms.add(new Atom(c.index(), 0, c.x0(), c.x1(), c.y0(), c.y1(), c.y0(), null, null));
                continue;
            }
            int band = bandWidth(reference);
            int slice = 0;
            for (int x = c.x0(); x <= c.x1(); x += band) {
                int[] left = new int[c.height()];
                int[] right = new int[c.height()];
                Arrays.fill(left, x);
                Arrays.fill(right, Math.min(c.x1(), x + band - 1));
                if (addSlice(ink, c, slice, left, right, atoms)) {
                    slice++;
                }
            }
        }
        atoms.sort(Comparator.comparingDouble(Atom::centre));
        return atoms;
    }

    /**
     * How wide a band of a cut component is: the composer's overlaps are up to 4 px, a digit
     * 16-25 px tall, so a window can start and end within a pixel or two of a digit's edges.
     */
    static int bandWidth(int reference) {
        return Math.max(2, (int) Math.round(BAND_SHARE * reference));
    }

    /**
     * Whether a component of this size may be digits side by side: wider than {@code wide} of its
     * height, and digit-sized (a short wide component is a bar, a 5's or a 7's).
     */
    static boolean cuttable(int width, int height, int reference, double wide) {
        return height >= BAR * reference && width > wide * height;
    }

    /** Whether the atom is a band of a cut component (which neighbouring pieces may share). */
    static boolean isBand(Atom atom) {
        return atom.left() != null;
    }

    /** Adds the slice of {@code c} between {@code left} and {@code right} (inclusive, per row) if it holds ink. */
    private static boolean addSlice(InkComponents ink, InkComponents.Component c, int slice, int[] left, int[] right,
                                 List<Atom> atoms) {
        int x0 = Integer.MAX_VALUE, x1 = -1, y0 = Integer.MAX_VALUE, y1 = -1;
        for (int r = 0; r < c.height(); r++) {
            int y = c.y0() + r;
            for (int x = left[r]; x <= right[r]; x++) {
                if (ink.at(x, y) == c.index()) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (y1 < 0) {
            return false;
        }
        atoms.add(new Atom(c.index(), slice, x0, x1, y0, y1, c.y0(), left, right));
        return true;
    }
}
