package dev.stratus.training.verifier;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.NumberComposer;
import dev.stratus.core.segment.Lattice;
import dev.stratus.core.segment.PieceVerifier;
import dev.stratus.core.segment.Segmenter;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Labelled lattice pieces for the verifier: numbers of 1-8 digits composed from {@code digits},
 * half with gaps and half with touching or overlapping neighbours, cut into the lattice the
 * segmenter uses, each piece labelled by {@link PieceLabels}; unsure pieces are left out. Pixels
 * are kept as bytes (a quarter of the memory of floats; the network input is 8-bit anyway).
 */
final class PieceSet {
    private byte[] pixels = new byte[1 << 20];
    private int[] labels = new int[1 << 12];
    private int count;
    /** Numbers composed and numbers whose right reading is in their lattice, gapped [0] and touching [1]. */
    private final int[] numbers = new int[2];
    private final int[] reachable = new int[2];
    private final int[] byClass = new int[PieceVerifier.CLASSES];
    private int unsure;

    private PieceSet() {
    }

    /**
     * The pieces of {@code numbers} numbers composed from {@code digits} with {@code seed}, each
     * "not one digit" piece kept with probability {@code negativesKept} (a lattice holds six or
     * seven of them to each single digit: keeping them all would mostly teach the network more of
     * the same).
     */
    static PieceSet compose(LabeledImages digits, int numbers, long seed, double negativesKept) {
        PieceSet set = new PieceSet();
        SplittableRandom keep = new SplittableRandom(seed * 7 + 3);
        Preprocessor preprocessor = new Preprocessor();
        NumberComposer[] composers = {
                new NumberComposer(digits, new NumberComposer.Settings(1, 8, NumberComposer.Spacing.GAPPED), seed),
                new NumberComposer(digits, new NumberComposer.Settings(1, 8, NumberComposer.Spacing.TOUCHING), seed + 1)};
        for (int n = 0; n < numbers; n++) {
            NumberComposer.Composed number = composers[n % 2].next();
            Lattice lattice = Lattice.withEveryCut(number.image(), Segmenter.DEFAULT_MAX_DIGITS, preprocessor);
            int[] labels = PieceLabels.of(number, lattice);
            set.numbers[n % 2]++;
            if (PieceLabels.reachable(number, lattice, labels)) {
                set.reachable[n % 2]++;
            }
            for (int p = 0; p < labels.length; p++) {
                if (labels[p] == PieceLabels.UNSURE) {
                    set.unsure++;
                } else if (labels[p] != PieceVerifier.NOT_ONE_DIGIT || keep.nextDouble() < negativesKept) {
                    set.add(lattice.pieces().get(p).input().toUnsignedBytes(), labels[p]);
                }
            }
        }
        return set;
    }

    private void add(byte[] image, int label) {
        if ((count + 1) * Mnist.PIXELS > pixels.length) {
            pixels = Arrays.copyOf(pixels, pixels.length * 2);
        }
        if (count == labels.length) {
            labels = Arrays.copyOf(labels, labels.length * 2);
        }
        System.arraycopy(image, 0, pixels, count * Mnist.PIXELS, Mnist.PIXELS);
        labels[count++] = label;
        byClass[label]++;
    }

    int count() {
        return count;
    }

    int label(int i) {
        return labels[i];
    }

    /** Piece {@code i}'s pixels as the network's floats, into {@code out} at {@code offset}. */
    void copyPixels(int i, float[] out, int offset) {
        for (int k = 0; k < Mnist.PIXELS; k++) {
            out[offset + k] = (pixels[i * Mnist.PIXELS + k] & 0xff) / 255f;
        }
    }

    /** All pieces' pixels as floats, for evaluation. */
    float[] allPixels() {
        float[] out = new float[count * Mnist.PIXELS];
        for (int i = 0; i < count; i++) {
            copyPixels(i, out, i * Mnist.PIXELS);
        }
        return out;
    }

    /** Share of the gapped (0) or touching (1) numbers whose right reading is a path through their lattice. */
    double reachableShare(int spacing) {
        return (double) reachable[spacing] / Math.max(1, numbers[spacing]);
    }

    int notOneDigit() {
        return byClass[PieceVerifier.NOT_ONE_DIGIT];
    }

    int unsure() {
        return unsure;
    }

    void describe(String name, PrintStream out) {
        out.printf("%s: %d numbers, %,d pieces (%,d single digits, %,d not one digit, %,d unsure left out);"
                        + " the right reading is in the lattice for %.2f %% of the gapped, %.2f %% of the touching%n",
                name, numbers[0] + numbers[1], count, count - notOneDigit(), notOneDigit(), unsure,
                100 * reachableShare(0), 100 * reachableShare(1));
    }
}
