package dev.stratus.core.segment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The over-segmentation: the smallest pieces a digit can be made of. Every component that is not
 * a speck is one atom, except that a component wider than a digit is cut into vertical slices at
 * the minima of its column ink profile (where touching digits usually meet). Which atoms go
 * together is left to the classifier ({@link Segmenter}); the atoms only bound the choices.
 */
final class Atoms {

    /** Columns {@code xFrom..xTo} (inclusive) of one component, and the rows its ink there spans. */
    record Atom(int component, int xFrom, int xTo, int y0, int y1) {
        double centre() {
            return (xFrom + xTo) / 2.0;
        }
    }

    /** A component at least this much wider than tall may be two or more touching digits. */
    static final double WIDE = 1.0;
    /** A slice is at least this share of the component's height wide, and so far from the next cut. */
    static final double MIN_SLICE = 0.2;
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
            boolean digitSized = c.height() >= PiecePrior.SHORT * reference;
            List<Integer> cuts = digitSized && c.width() > WIDE * c.height() ? cuts(ink, c) : List.of();
            int from = c.x0();
            for (int cut : cuts) {
                addSlice(ink, c, from, cut - 1, atoms);
                from = cut;
            }
            addSlice(ink, c, from, c.x1(), atoms);
        }
        atoms.sort(Comparator.comparingDouble(Atom::centre));
        return atoms;
    }

    /**
     * Where to cut a wide component: the local minima of a column score that is low where little
     * ink crosses the column (the column profile) and where the upper contour dips and the lower
     * contour rises (two digits side by side meet below the top and above the bottom of their
     * pair, even where their touching sides make the profile high), lowest first, each at least
     * {@link #MIN_SLICE} of the height from the ends and from each other.
     */
    static List<Integer> cuts(InkComponents ink, InkComponents.Component c) {
        int w = c.width();
        double h = c.height();
        int[] profile = new int[w];
        int[] top = new int[w];
        int[] bottom = new int[w];
        java.util.Arrays.fill(top, c.y1());
        java.util.Arrays.fill(bottom, c.y0());
        for (int y = c.y0(); y <= c.y1(); y++) {
            for (int x = c.x0(); x <= c.x1(); x++) {
                if (ink.at(x, y) == c.index()) {
                    int i = x - c.x0();
                    profile[i]++;
                    top[i] = Math.min(top[i], y);
                    bottom[i] = Math.max(bottom[i], y);
                }
            }
        }
        double[] score = new double[w];
        for (int i = 0; i < w; i++) {
            score[i] = (profile[i] - (top[i] - c.y0()) - (c.y1() - bottom[i])) / h;
        }
        int margin = Math.max(2, (int) Math.round(MIN_SLICE * h));
        List<Integer> minima = new ArrayList<>();
        for (int i = margin; i <= w - margin; i++) {
            double right = i + 1 < w ? score[i + 1] : Double.MAX_VALUE;
            if (score[i] <= score[i - 1] && score[i] <= right) {
                minima.add(i);
            }
        }
        minima.sort(Comparator.comparingDouble((Integer i) -> score[i]).thenComparingInt(i -> i));
        List<Integer> chosen = new ArrayList<>();
        for (int m : minima) {
            boolean apart = chosen.stream().allMatch(other -> Math.abs(other - m) >= margin);
            if (apart) {
                chosen.add(m);
            }
        }
        chosen.sort(null);
        List<Integer> columns = new ArrayList<>(chosen.size());
        for (int i : chosen) {
            columns.add(c.x0() + i);
        }
        return columns;
    }

    private static void addSlice(InkComponents ink, InkComponents.Component c, int xFrom, int xTo, List<Atom> atoms) {
        int y0 = Integer.MAX_VALUE, y1 = -1;
        for (int y = c.y0(); y <= c.y1(); y++) {
            for (int x = xFrom; x <= xTo; x++) {
                if (ink.at(x, y) == c.index()) {
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                    break;
                }
            }
        }
        if (y1 >= 0) {
            atoms.add(new Atom(c.index(), xFrom, xTo, y0, y1));
        }
    }
}
