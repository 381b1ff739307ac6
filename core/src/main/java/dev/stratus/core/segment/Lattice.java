package dev.stratus.core.segment;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every way an image's ink could be cut into digits: the atoms ({@link Atoms}) left to right, and
 * every run of up to {@value #MAX_ATOMS_PER_DIGIT} consecutive atoms that could be one digit, each
 * preprocessed for the networks. {@link Segmenter} scores the pieces and picks a path through
 * them; the verifier's training cuts its examples from the same lattice, so that it learns on
 * exactly the pieces it will be asked about.
 */
public final class Lattice {
    /** A digit is made of at most this many atoms (bands of a wide component, loose bars, dots). */
    static final int MAX_ATOMS_PER_DIGIT = 16;
    /**
     * A piece may start this many bands before the end of the piece it follows, when they are
     * bands of one component: overlapping digits share the ink of the overlap (the composer's
     * overlaps are up to 4 px, two bands of 2-3 px).
     */
    static final int MAX_OVERLAP_BANDS = 2;
    /** A candidate is at most this many times the reference height wide (a digit is about 0.4-1). */
    static final double MAX_PIECE_WIDTH = 1.6;
    /** Atoms this many empty columns apart or more are never one digit. */
    static final int MAX_COLUMN_GAP = 2;

    /**
     * One candidate digit: atoms {@code from..to-1}, where its ink lies, which pixels of the box
     * are its ink ({@link #member}, row-major over the box), the network input, and whether it
     * is a whole component that could be cut at {@link Atoms#MAYBE_WIDE} but was not.
     */
    public record Piece(int from, int to, Box box, boolean[] member, DigitImage input, boolean uncut) {
        public boolean isInk(int x, int y) {
            return x >= box.x() && x <= box.right() && y >= box.y() && y <= box.bottom()
                    && member[(y - box.y()) * box.width() + x - box.x()];
        }
    }

    /** The share of its height above which {@link #withEveryCut} cuts a component. */
    public static final double EVERY_CUT = Atoms.MAYBE_WIDE;

    private final int atoms;
    private final int reference;
    private final List<Piece> pieces;
    private final boolean[] ink;
    private final int[] earliest;
    private final int[] first;

    private Lattice(List<Atoms.Atom> atoms, int reference, List<Piece> pieces, boolean[] ink) {
        this.atoms = atoms.size();
        this.reference = reference;
        this.pieces = pieces;
        this.ink = ink;
        this.earliest = earliestStarts(atoms);
        this.first = new int[atoms.size() + 1];
        for (int from = atoms.size(), i = pieces.size(); from >= 0; from--) {
            while (i > 0 && pieces.get(i - 1).from() >= from) {
                i--;
            }
            first[from] = i;
        }
    }

    /**
     * The lattice of {@code image}, its components wider than {@code wide} of their height cut
     * into bands ({@link Atoms#WIDE} first, {@link Atoms#MAYBE_WIDE} where that leaves doubt).
     *
     * @throws BlankImageException     when the image holds no ink, or only specks of noise
     * @throws NumberTooLongException  when it must hold more than {@code maxDigits} digits
     */
    public static Lattice of(GreyImage image, int maxDigits, Preprocessor preprocessor, double wide) {
        int w = image.width();
        int h = image.height();
        float[] ink = Preprocessor.inkOnBlack(image);
        float max = 0f;
        for (float v : ink) {
            max = Math.max(max, v);
        }
        if (max < Preprocessor.MIN_INK) {
            throw new BlankImageException("the image has no ink: it is blank or has no contrast");
        }
        float threshold = Preprocessor.INK_THRESHOLD * max;
        boolean[] mask = new boolean[ink.length];
        for (int i = 0; i < ink.length; i++) {
            mask[i] = ink[i] >= threshold;
        }
        InkComponents components = InkComponents.of(mask, w);
        int reference = Atoms.referenceHeight(components.components());
        if (reference < Atoms.MIN_DIGIT_HEIGHT) {
            throw new BlankImageException("the image holds only specks of noise: no stroke is " + Atoms.MIN_DIGIT_HEIGHT
                    + " px tall with " + Atoms.MIN_DIGIT_AREA + " px of ink");
        }
        List<InkComponents.Component> kept = Atoms.withoutSpecks(components.components(), reference);
        int separate = separateColumns(kept);
        if (separate > maxDigits) {
            throw tooLong("at least " + separate, maxDigits);
        }
        List<Atoms.Atom> atoms = Atoms.of(components, kept, reference, wide);
        if (atoms.size() > MAX_ATOMS_PER_DIGIT * maxDigits) {
            throw tooLong("pieces for more than " + maxDigits, maxDigits);
        }
        List<Piece> pieces = new ArrayList<>();
        for (int from = 0; from < atoms.size(); from++) {
            for (int to = from + 1; to <= Math.min(atoms.size(), from + MAX_ATOMS_PER_DIGIT); to++) {
                List<Atoms.Atom> run = atoms.subList(from, to);
                if (to - from > 1 && (spanWidth(run) > MAX_PIECE_WIDTH * reference || hasColumnGap(run))) {
                    continue;
                }
                PieceImage piece = PieceImage.of(run, components, ink, w, h);
                Atoms.Atom first = run.get(0);
                boolean uncut = to - from == 1 && !Atoms.isBand(first) && wide > Atoms.MAYBE_WIDE
                        && Atoms.cuttable(first.xTo() - first.xFrom() + 1, first.y1() - first.y0() + 1, reference,
                        Atoms.MAYBE_WIDE);
                pieces.add(new Piece(from, to, piece.box(), piece.member(), preprocessor.apply(piece.image()), uncut));
            }
        }
        boolean[] keptComponent = new boolean[components.components().size()];
        for (InkComponents.Component c : kept) {
            keptComponent[c.index()] = true;
        }
        boolean[] keptInk = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            int c = components.at(i % w, i / w);
            keptInk[i] = c >= 0 && keptComponent[c];
        }
        return new Lattice(atoms, reference, List.copyOf(pieces), keptInk);
    }

    /**
     * The lattice with every component that may be digits side by side cut into bands: it holds
     * the pieces of both of {@link Segmenter}'s passes, so the verifier trains on it.
     */
    public static Lattice withEveryCut(GreyImage image, int maxDigits, Preprocessor preprocessor) {
        return of(image, maxDigits, preprocessor, EVERY_CUT);
    }

    static NumberTooLongException tooLong(String found, int maxDigits) {
        return new NumberTooLongException("the image holds " + found + " digits; a number has at most " + maxDigits,
                maxDigits);
    }

    /** How many atoms there are: a path through the lattice covers atoms {@code 0..atoms()-1}. */
    public int atoms() {
        return atoms;
    }

    /** The tallest component's height, what "digit-sized" is measured against. */
    public int reference() {
        return reference;
    }

    /** The candidate pieces, ordered by their first atom. */
    public List<Piece> pieces() {
        return pieces;
    }

    /**
     * The first atom that a piece may start at to follow pieces that covered atoms
     * {@code 0..covered-1}: {@code covered} itself, or up to {@value #MAX_OVERLAP_BANDS} atoms
     * earlier where those and atom {@code covered} are bands of one component (the next digit
     * reads the overlap again). A path is a sequence of pieces, each starting between
     * {@code earliestStart(end)} and {@code end} of the one before and ending after it.
     */
    public int earliestStart(int covered) {
        return earliest[covered];
    }

    /** The index of the first piece starting at atom {@code from} or later (pieces are ordered by their first atom). */
    public int firstPieceFrom(int from) {
        return first[from];
    }

    private static int[] earliestStarts(List<Atoms.Atom> atoms) {
        int n = atoms.size();
        int[] earliest = new int[n + 1];
        for (int s = 0; s <= n; s++) {
            int e = s;
            if (s < n && Atoms.isBand(atoms.get(s))) {
                int component = atoms.get(s).component();
                while (e > 0 && s - e < MAX_OVERLAP_BANDS && Atoms.isBand(atoms.get(e - 1))
                        && atoms.get(e - 1).component() == component) {
                    e--;
                }
            }
            earliest[s] = e;
        }
        return earliest;
    }

    /** Whether pixel {@code i} (row-major) is ink of a component that is not a speck. */
    public boolean isInk(int i) {
        return ink[i];
    }

    /**
     * Whether the run's columns leave {@value #MAX_COLUMN_GAP} or more empty columns between
     * its atoms: pieces of one digit overlap in x or nearly meet, neighbouring digits do not.
     */
    private static boolean hasColumnGap(List<Atoms.Atom> run) {
        List<Atoms.Atom> byLeft = new ArrayList<>(run);
        byLeft.sort(Comparator.comparingInt(Atoms.Atom::xFrom));
        int right = byLeft.get(0).xTo();
        for (Atoms.Atom a : byLeft) {
            if (a.xFrom() - right - 1 >= MAX_COLUMN_GAP) {
                return true;
            }
            right = Math.max(right, a.xTo());
        }
        return false;
    }

    private static int spanWidth(List<Atoms.Atom> run) {
        int x0 = Integer.MAX_VALUE, x1 = -1;
        for (Atoms.Atom a : run) {
            x0 = Math.min(x0, a.xFrom());
            x1 = Math.max(x1, a.xTo());
        }
        return x1 - x0 + 1;
    }

    /**
     * How many digits there must be at least: the groups of components whose column ranges do
     * not overlap (a digit never spans a column gap). Checked before anything is classified, so
     * that a long scribble costs nothing.
     */
    private static int separateColumns(List<InkComponents.Component> components) {
        List<InkComponents.Component> byLeft = new ArrayList<>(components);
        byLeft.sort(Comparator.comparingInt(InkComponents.Component::x0));
        int groups = 0;
        int right = -1;
        for (InkComponents.Component c : byLeft) {
            if (c.x0() > right) {
                groups++;
            }
            right = Math.max(right, c.x1());
        }
        return groups;
    }
}
