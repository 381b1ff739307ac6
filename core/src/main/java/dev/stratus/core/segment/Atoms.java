package dev.stratus.core.segment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The over-segmentation: the smallest pieces a digit can be made of. Every component that is not
 * a speck is one atom, except that a component that may be two or more touching digits is cut
 * into slices along {@link Seams}. Which atoms go together is left to the networks
 * ({@link Segmenter}); the atoms only bound the choices.
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
     * A component wider than this share of its height may be two or more touching digits (two
     * 1s side by side are narrower than tall); the verifier rejects the slices of a single digit.
     * On 500 touching numbers (seed 17): 0.5 read 61.6 % right with 55 pieces to a 6-digit
     * number, 0.75 60.8 % with 42, 1.0 57.4 % with 14 (gapped 96.0 % with all three). 1.0 is
     * the one that answers a 6-digit number within 10 ms end to end (9.4 ms median, against
     * 11.5 ms at 0.75; scripts/numbers-latency.sh), and on 1,000 numbers each it reads gapped
     * 97.4 % (0.75: 97.0 %) and touching 55.8 % (0.75: 59.8 %).
     */
    static final double WIDE = 1.0;
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

    /** The atoms of these components, left to right by centre. */
    static List<Atom> of(InkComponents ink, List<InkComponents.Component> components, int reference) {
        List<Atom> atoms = new ArrayList<>();
        for (InkComponents.Component c : components) {
            // A short wide component is a bar (a 5's, a 7's), not digits side by side.
            boolean digitSized = c.height() >= BAR * reference;
            List<int[]> seams = digitSized && c.width() > WIDE * c.height() ? Seams.of(ink, c) : List.of();
            if (seams.isEmpty()) {
                atoms.add(new Atom(c.index(), 0, c.x0(), c.x1(), c.y0(), c.y1(), c.y0(), null, null));
                continue;
            }
            int[] left = new int[c.height()];
            Arrays.fill(left, c.x0());
            int slice = 0;
            for (int[] seam : seams) {
                int[] right = new int[seam.length];
                for (int r = 0; r < seam.length; r++) {
                    right[r] = seam[r] - 1;
                }
                addSlice(ink, c, slice++, left, right, atoms);
                left = seam;
            }
            int[] last = new int[c.height()];
            Arrays.fill(last, c.x1());
            addSlice(ink, c, slice, left, last, atoms);
        }
        atoms.sort(Comparator.comparingDouble(Atom::centre));
        return atoms;
    }

    /** The slice of {@code c} between {@code left} and {@code right} (inclusive, per row), if it holds ink. */
    private static void addSlice(InkComponents ink, InkComponents.Component c, int slice, int[] left, int[] right,
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
        if (y1 >= 0) {
            atoms.add(new Atom(c.index(), slice, x0, x1, y0, y1, c.y0(), left, right));
        }
    }
}
