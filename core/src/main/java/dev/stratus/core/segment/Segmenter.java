package dev.stratus.core.segment;

import dev.stratus.core.image.BlankImageException;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.GreyImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.core.model.Prediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a number from an image of any size and either polarity, the one implementation for
 * serving, evaluation and tests.
 *
 * <p>The {@link Lattice} holds every way the ink could be cut into digits: components, those
 * that may be touching digits cut into narrow vertical bands ({@link Atoms}), and every run of
 * consecutive atoms that could be one digit. A digit's window may overlap its neighbour's by a
 * band or two of one component ({@link Lattice#earliestStart}): where digits overlap, the ink
 * there is both digits', so the windows that read them share it rather than partition it. All
 * pieces go through the one preprocessing and are classified in one batch by the digit model
 * and by the {@link PieceVerifier}, a network trained on exactly such windows to say whether a
 * window is one digit (neighbour's ink intruding or not) and which; dynamic programming picks
 * the path of windows that maximises the product over its pieces of the verifier's P(one digit,
 * and it is d) times the digit model's P(d), d the digit model's answer ({@link #score}).
 * Components wider than their height are always cut; those between {@link Atoms#MAYBE_WIDE}
 * and that are cut in a second pass only when the verifier doubts one of them whole
 * ({@link #DOUBT}), so a gapped number's single digits cost a piece each. The digit model alone
 * cannot choose the cuts: it has only ever seen whole single digits and is as sure of half a 0,
 * or of two squeezed 0s, as of a 0. Each digit reported is the one both networks find most
 * likely together ({@link #digit}); the probabilities reported are the digit model's.
 */
public final class Segmenter {
    public static final int DEFAULT_MAX_DIGITS = 16;
    /**
     * Pieces the verifier gives less than this probability of being one digit are not read by
     * the digit model (a path through them would need the rest of the number to be near certain).
     */
    static final double MIN_ONE_DIGIT = 1e-3;
    /** An uncut component that the verifier finds not one digit with more than this probability is cut. */
    static final double DOUBT = 0.5;

    private final OnnxClassifier classifier;
    private final PieceVerifier verifier;
    private final Preprocessor preprocessor = new Preprocessor();
    private final int maxDigits;

    /** A segmenter with the shipped verifier (loaded once per process, from core's classpath). */
    public Segmenter(OnnxClassifier classifier) {
        this(classifier, DEFAULT_MAX_DIGITS);
    }

    public Segmenter(OnnxClassifier classifier, int maxDigits) {
        this(classifier, SharedVerifier.get(), maxDigits);
    }

    public Segmenter(OnnxClassifier classifier, PieceVerifier verifier, int maxDigits) {
        if (maxDigits < 1) {
            throw new IllegalArgumentException("a number may have at least one digit, got a maximum of " + maxDigits);
        }
        this.classifier = classifier;
        this.verifier = verifier;
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
        Lattice lattice = Lattice.of(image, maxDigits, preprocessor, Atoms.WIDE);
        List<DigitImage> inputs = inputs(lattice);
        float[] verdicts = verifier.probabilities(inputs);
        if (doubtsAnUncutPiece(lattice, verdicts)) {
            lattice = Lattice.of(image, maxDigits, preprocessor, Atoms.MAYBE_WIDE);
            inputs = inputs(lattice);
            verdicts = verifier.probabilities(inputs);
        }
        // Most pieces are plainly not one digit: the digit model reads only the others.
        boolean[] plausible = new boolean[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            plausible[i] = verdicts[i * PieceVerifier.CLASSES + PieceVerifier.NOT_ONE_DIGIT] <= 1 - MIN_ONE_DIGIT;
        }
        List<SegmentedDigit> digits = bestPath(lattice, classify(inputs, plausible), verdicts);
        if (digits == null) {
            Arrays.fill(plausible, true);
            digits = bestPath(lattice, classify(inputs, plausible), verdicts);
        }
        if (digits.size() > maxDigits) {
            throw Lattice.tooLong(Integer.toString(digits.size()), maxDigits);
        }
        return new SegmentedNumber(digits);
    }

    private static List<DigitImage> inputs(Lattice lattice) {
        List<DigitImage> inputs = new ArrayList<>(lattice.pieces().size());
        for (Lattice.Piece piece : lattice.pieces()) {
            inputs.add(piece.input());
        }
        return inputs;
    }

    /**
     * Whether the verifier doubts that a component left whole, though wide enough to be two
     * narrow digits side by side, is one digit: then the segmenter cuts such components too.
     */
    private static boolean doubtsAnUncutPiece(Lattice lattice, float[] verdicts) {
        for (int i = 0; i < lattice.pieces().size(); i++) {
            if (lattice.pieces().get(i).uncut()
                    && verdicts[i * PieceVerifier.CLASSES + PieceVerifier.NOT_ONE_DIGIT] > DOUBT) {
                return true;
            }
        }
        return false;
    }

    /** The digit model's answers for the pieces marked, null for the others. */
    private List<Prediction> classify(List<DigitImage> inputs, boolean[] marked) {
        List<DigitImage> chosen = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (marked[i]) {
                chosen.add(inputs.get(i));
            }
        }
        List<Prediction> read = classifier.classifyBatch(chosen);
        List<Prediction> all = new ArrayList<>(inputs.size());
        for (int i = 0, k = 0; i < inputs.size(); i++) {
            all.add(marked[i] ? read.get(k++) : null);
        }
        return all;
    }

    /**
     * The log score of piece {@code i}: the log of the verifier's P(one digit, and it is d) times
     * the digit model's P(d), for d the digit model's answer, which is the digit the piece reads as.
     * (Choosing instead the d with the highest product read as many numbers right, 74.0 % touching
     * and 96.8 % gapped of 400 each, but a stored or relayed number keeps only the digit model's
     * probabilities, whose most probable digit is what every answer shows.)
     */
    static double score(Prediction prediction, float[] verdicts, int i) {
        return joint(prediction, verdicts, i, prediction.digit());
    }

    private static double joint(Prediction prediction, float[] verdicts, int i, int d) {
        return Math.log(Math.max(1e-30, verdicts[i * PieceVerifier.CLASSES + d]))
                + Math.log(Math.max(1e-30, prediction.probabilities()[d]));
    }

    /**
     * The path through the lattice ({@link Lattice#earliestStart}) with the highest total log
     * score, among the pieces that have a prediction; null when those do not cover the atoms.
     */
    private static List<SegmentedDigit> bestPath(Lattice lattice, List<Prediction> predictions, float[] verdicts) {
        int n = lattice.atoms();
        List<Lattice.Piece> pieces = lattice.pieces();
        double[] best = new double[n + 1];
        int[] via = new int[n + 1];
        int[] before = new int[n + 1];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        Arrays.fill(via, -1);
        best[0] = 0;
        // Every piece ends after the atom its path came from, so best[end] is final when read.
        for (int end = 0; end < n; end++) {
            if (best[end] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            for (int i = lattice.firstPieceFrom(lattice.earliestStart(end)); i < lattice.firstPieceFrom(end + 1); i++) {
                Lattice.Piece piece = pieces.get(i);
                if (piece.to() <= end || predictions.get(i) == null) {
                    continue;
                }
                double total = best[end] + score(predictions.get(i), verdicts, i);
                if (total > best[piece.to()]) {
                    best[piece.to()] = total;
                    via[piece.to()] = i;
                    before[piece.to()] = end;
                }
            }
        }
        if (best[n] == Double.NEGATIVE_INFINITY) {
            return null;
        }
        List<SegmentedDigit> digits = new ArrayList<>();
        for (int end = n; end > 0; end = before[end]) {
            int i = via[end];
            Lattice.Piece piece = pieces.get(i);
            Prediction read = predictions.get(i);
            digits.add(0, new SegmentedDigit(read, piece.box(), piece.input()));
        }
        return digits;
    }
}
