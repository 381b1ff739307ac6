package dev.stratus.server.store;

import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.Prediction;
import dev.stratus.core.segment.Box;
import dev.stratus.core.segment.SegmentedDigit;
import java.util.Arrays;

/**
 * One digit of a stored number: the classifier's ten probabilities, where the digit lies in the
 * input image (what lets a correction of the whole number become a label for each 28x28 input),
 * and the 28x28 bytes the network saw.
 */
public record NumberDigit(float[] probabilities, Box box, byte[] input) {

    public NumberDigit {
        if (probabilities == null || probabilities.length != Mnist.CLASSES || box == null || input == null
                || input.length != Mnist.PIXELS) {
            throw new IllegalArgumentException("a digit of a number has 10 probabilities, a box and a 784-byte input");
        }
    }

    public static NumberDigit of(SegmentedDigit digit) {
        return new NumberDigit(digit.prediction().probabilities(), digit.box(), digit.input().toUnsignedBytes());
    }

    /** The most probable digit. */
    public int digit() {
        return Prediction.argMax(probabilities, 0);
    }

    public float confidence() {
        return probabilities[digit()];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumberDigit d && Arrays.equals(d.probabilities, probabilities) && d.box.equals(box)
                && Arrays.equals(d.input, input);
    }

    @Override
    public int hashCode() {
        return box.hashCode();
    }

    @Override
    public String toString() {
        return "NumberDigit[" + digit() + " at " + box + "]";
    }
}
