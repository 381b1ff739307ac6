package dev.stratus.core.model;

import dev.stratus.core.image.Mnist;
import java.util.Arrays;

/** The classifier's answer for one image: the most probable digit and all ten probabilities. */
public record Prediction(int digit, float[] probabilities) {

    public Prediction {
        if (probabilities == null || probabilities.length != Mnist.CLASSES) {
            throw new IllegalArgumentException("a prediction has " + Mnist.CLASSES + " probabilities");
        }
        if (digit < 0 || digit >= Mnist.CLASSES) {
            throw new IllegalArgumentException("digit must be 0-9, got " + digit);
        }
    }

    /** The prediction for ten probabilities: the digit is the most probable one. */
    public static Prediction of(float[] probabilities) {
        return new Prediction(argMax(probabilities, 0), probabilities);
    }

    /** The most probable digit of row {@code row} of a {@code [n, 10]} block of probabilities. */
    public static int argMax(float[] probabilities, int row) {
        int offset = row * Mnist.CLASSES;
        int best = 0;
        for (int c = 1; c < Mnist.CLASSES; c++) {
            if (probabilities[offset + c] > probabilities[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    public float confidence() {
        return probabilities[digit];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prediction p && p.digit == digit && Arrays.equals(p.probabilities, probabilities);
    }

    @Override
    public int hashCode() {
        return 31 * digit + Arrays.hashCode(probabilities);
    }

    @Override
    public String toString() {
        return "Prediction[digit=" + digit + ", probabilities=" + Arrays.toString(probabilities) + "]";
    }
}
