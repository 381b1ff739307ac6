package dev.stratus.core.segment;

import dev.stratus.core.image.DigitImage;
import dev.stratus.core.model.Prediction;

/**
 * One digit of a number: what the classifier answered, where the digit lies in the input, and
 * the 28x28 image the network saw.
 */
public record SegmentedDigit(Prediction prediction, Box box, DigitImage input) {

    public SegmentedDigit {
        if (prediction == null || box == null || input == null) {
            throw new IllegalArgumentException("a segmented digit needs its prediction, box and input");
        }
    }

    public int digit() {
        return prediction.digit();
    }
}
