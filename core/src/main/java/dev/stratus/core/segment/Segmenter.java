package dev.stratus.core.segment;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.Prediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a number from an image of any size and either polarity, the one implementation for
 * serving, evaluation and tests.
 *
 * <p>The ink is thresholded as the {@link Preprocessor} does and split into 8-connected
 * components; specks are dropped; components wider than a digit are cut at the minima of their
 * column profile ({@link Atoms}). Every run of up to {@value #MAX_ATOMS_PER_DIGIT} consecutive
 * atoms is a candidate digit: all candidates go through the one preprocessing and are classified
 * in one batch, and dynamic programming picks the partition of the atoms that maximises the
 * product of the pieces' top probabilities times a prior on each piece's shape
 * ({@link PiecePrior}). So a 5's loose bar joins its 5 because the whole 5 is a likelier digit
 * than a bar and a hook, and two touching 0s part because two 0s are likelier than one squeezed
 * blob.
 */
public final class Segmenter {
    public static final int DEFAULT_MAX_DIGITS = 16;
    /** A digit is made of at most this many atoms (slices of a wide component, loose bars, dots). */
    static final int MAX_ATOMS_PER_DIGIT = 5;
    /** A candidate is at most this many times the reference height wide (a digit is about 0.4-1). */
    static final double MAX_PIECE_WIDTH = 1.6;
    /** Atoms this many empty columns apart or more are never one digit. */
    static final int MAX_COLUMN_GAP = 2;

    private final OnnxClassifier classifier;
    private final Preprocessor preprocessor = new Preprocessor();
    private final int maxDigits;

    public Segmenter(OnnxClassifier classifier) {
        this(classifier, DEFAULT_MAX_DIGITS);
    }

    public Segmenter(OnnxClassifier classifier, int maxDigits) {
        if (maxDigits < 1) {
            throw new IllegalArgumentException("a number may have at least one digit, got a maximum of " + maxDigits);
        }
        this.classifier = classifier;
        this.maxDigits = maxDigits;
    }

    public int maxDigits() {
        return maxDigits;
    }

    /**
     * The number in {@code image}, its digits left to right.
     *
     * @throws BlankImageException     when the image holds no ink, or only specks of noise
     * @throws NumberTooLongException  when it holds more than {@link #maxDigits()} digits
     */
    public SegmentedNumber segment(GreyImage image) {
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
            throw tooLong("at least " + separate);
        }
        List<Atoms.Atom> atoms = Atoms.of(components, kept, reference);
        if (atoms.size() > MAX_ATOMS_PER_DIGIT * maxDigits) {
            throw tooLong("pieces for more than " + maxDigits);
        }

        List<Candidate> candidates = candidates(atoms, components, ink, w, h, reference);
        List<DigitImage> inputs = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            inputs.add(c.input);
        }
        List<Prediction> predictions = classifier.classifyBatch(inputs);
        List<SegmentedDigit> digits = bestPath(atoms.size(), candidates, predictions, reference);
        if (digits.size() > maxDigits) {
            throw tooLong(Integer.toString(digits.size()));
        }
        return new SegmentedNumber(digits);
    }

    private NumberTooLongException tooLong(String found) {
        return new NumberTooLongException("the image holds " + found + " digits; a number has at most " + maxDigits,
                maxDigits);
    }

    /** One candidate digit: atoms {@code from..to-1}, its box, input, and the log cost of the cut it starts at. */
    private record Candidate(int from, int to, Box box, DigitImage input, double cutPrior) {
    }

    private List<Candidate> candidates(List<Atoms.Atom> atoms, InkComponents components, float[] ink, int w, int h,
                                       int reference) {
        List<Candidate> candidates = new ArrayList<>();
        for (int from = 0; from < atoms.size(); from++) {
            for (int to = from + 1; to <= Math.min(atoms.size(), from + MAX_ATOMS_PER_DIGIT); to++) {
                List<Atoms.Atom> run = atoms.subList(from, to);
                if (to - from > 1 && (spanWidth(run) > MAX_PIECE_WIDTH * reference || hasColumnGap(run))) {
                    continue;
                }
                PieceImage piece = PieceImage.of(run, components, ink, w, h);
                double prior = 0;
                if (from > 0 && sameComponent(atoms.get(from - 1), atoms.get(from))) {
                    prior += PiecePrior.CUT;
                }
                candidates.add(new Candidate(from, to, piece.box(), preprocessor.apply(piece.image()), prior));
            }
        }
        return candidates;
    }

    /** Two slices of one component: a piece that starts at the second one cuts the component. */
    private static boolean sameComponent(Atoms.Atom left, Atoms.Atom right) {
        return left.component() == right.component() && left.xTo() + 1 == right.xFrom();
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

    /** The partition of atoms {@code 0..n-1} into candidates with the highest total log score. */
    private static List<SegmentedDigit> bestPath(int n, List<Candidate> candidates, List<Prediction> predictions,
                                                 int reference) {
        double[] best = new double[n + 1];
        int[] via = new int[n + 1];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        Arrays.fill(via, -1);
        best[0] = 0;
        // Candidates come ordered by their first atom, so every path into `from` is final when read.
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (best[c.from] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            Prediction p = predictions.get(i);
            double score = best[c.from] + Math.log(Math.max(1e-30, p.confidence())) + c.cutPrior
                    + PiecePrior.logPrior(c.box, reference, p.digit());
            if (score > best[c.to]) {
                best[c.to] = score;
                via[c.to] = i;
            }
        }
        List<SegmentedDigit> digits = new ArrayList<>();
        for (int end = n; end > 0; ) {
            int i = via[end];
            Candidate c = candidates.get(i);
            digits.add(0, new SegmentedDigit(predictions.get(i), c.box, c.input));
            end = c.from;
        }
        return digits;
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
