package dev.stratus.training.verifier;

import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.segment.Box;
import dev.stratus.core.segment.Lattice;
import dev.stratus.core.segment.PieceVerifier;
import java.util.Arrays;

/**
 * What each piece of a composed number's lattice really is, from the composer's record of which
 * digit painted each pixel: one digit (its class) when nearly all its ink is that digit's and
 * nearly all of that digit's ink is in it, {@link PieceVerifier#NOT_ONE_DIGIT} when it is clearly
 * less or more (half a digit, two digits, a digit with a neighbour's stroke, a loose bar), and
 * {@link #UNSURE} in between, which training leaves out rather than teach either answer.
 */
final class PieceLabels {
    static final int UNSURE = -1;
    /** A piece is one digit when at least this share of its ink is that digit's, and it has this share of that digit's ink. */
    static final double ONE = 0.8;
    /** A piece is not one digit when either share is below this. */
    static final double NOT_ONE = 0.65;
    /**
     * A piece whose columns start and end within this many pixels of one digit's is that digit
     * when it holds {@link #ONE} of its ink, even with a neighbour's overlapping ink in it, down
     * to {@link #ALIGNED_PURITY} of its ink being the digit's.
     */
    static final int ALIGNED = 2;
    static final double ALIGNED_PURITY = 0.5;
    /** A piece off every digit's columns by more than this is not one digit unless its ink is nearly all one digit's. */
    static final int MISALIGNED = 5;
    /**
     * A piece is one digit only when it holds less than this share of every other digit's ink (an
     * overlap gives a window at most about a third of its neighbour), and not one digit when it
     * holds {@link #NOT_ONE} of another's: a 0 with the 1 it touches is two digits, though the 1
     * has so little ink that the piece is mostly the 0's.
     */
    static final double OTHER = 0.4;

    private PieceLabels() {
    }

    /** The label of every piece of {@code lattice}, in its order. */
    static int[] of(NumberComposer.Composed number, Lattice lattice) {
        int digits = number.label().length();
        int width = number.image().width();
        int[] owners = number.owners();
        int[] total = new int[digits];
        int[] left = new int[digits];
        int[] right = new int[digits];
        Arrays.fill(left, Integer.MAX_VALUE);
        Arrays.fill(right, -1);
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] >= 0 && lattice.isInk(i)) {
                total[owners[i]]++;
                left[owners[i]] = Math.min(left[owners[i]], i % width);
                right[owners[i]] = Math.max(right[owners[i]], i % width);
            }
        }
        int[] labels = new int[lattice.pieces().size()];
        int[] count = new int[digits];
        for (int p = 0; p < labels.length; p++) {
            Lattice.Piece piece = lattice.pieces().get(p);
            Arrays.fill(count, 0);
            int ink = 0;
            Box box = piece.box();
            for (int y = box.y(); y <= box.bottom(); y++) {
                for (int x = box.x(); x <= box.right(); x++) {
                    if (piece.isInk(x, y)) {
                        ink++;
                        int owner = owners[y * width + x];
                        if (owner >= 0) {
                            count[owner]++;
                        }
                    }
                }
            }
            int best = 0;
            for (int d = 1; d < digits; d++) {
                if (count[d] > count[best]) {
                    best = d;
                }
            }
            double purity = (double) count[best] / Math.max(1, ink);
            double coverage = (double) count[best] / Math.max(1, total[best]);
            double other = 0;
            for (int d = 0; d < digits; d++) {
                if (d != best) {
                    other = Math.max(other, (double) count[d] / Math.max(1, total[d]));
                }
            }
            int off = Math.max(Math.abs(box.x() - left[best]), Math.abs(box.right() - right[best]));
            if (coverage >= ONE && other < OTHER && (purity >= ONE || off <= ALIGNED && purity >= ALIGNED_PURITY)) {
                labels[p] = number.label().charAt(best) - '0';
            } else if (coverage < NOT_ONE || other >= NOT_ONE || purity < NOT_ONE && off > 2 * ALIGNED
                    || purity < ONE && off > MISALIGNED) {
                labels[p] = PieceVerifier.NOT_ONE_DIGIT;
            } else {
                labels[p] = UNSURE;
            }
        }
        return labels;
    }

    /**
     * Whether a path of pieces labelled as single digits spells the number: whether the lattice
     * holds the right reading at all, which no scoring can find where the cuts are missing.
     */
    static boolean reachable(NumberComposer.Composed number, Lattice lattice, int[] labels) {
        String label = number.label();
        // reached[a][k]: atoms 0..a-1 covered by a path of k pieces reading label's first k digits.
        boolean[][] reached = new boolean[lattice.atoms() + 1][label.length() + 1];
        reached[0][0] = true;
        for (int end = 0; end < lattice.atoms(); end++) {
            int last = lattice.firstPieceFrom(end + 1);
            for (int p = lattice.firstPieceFrom(lattice.earliestStart(end)); p < last; p++) {
                Lattice.Piece piece = lattice.pieces().get(p);
                for (int k = 0; piece.to() > end && k < label.length(); k++) {
                    if (reached[end][k] && labels[p] == label.charAt(k) - '0') {
                        reached[piece.to()][k + 1] = true;
                    }
                }
            }
        }
        return reached[lattice.atoms()][label.length()];
    }
}
