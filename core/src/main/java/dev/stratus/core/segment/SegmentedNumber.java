package dev.stratus.core.segment;

import java.util.List;

/**
 * A number read from an image: its digits left to right, the number as text ({@code "0042"}
 * keeps its leading zeros) and its confidence, the product of the digits' top probabilities.
 */
public record SegmentedNumber(List<SegmentedDigit> digits) {

    public SegmentedNumber {
        if (digits == null || digits.isEmpty()) {
            throw new IllegalArgumentException("a number has at least one digit");
        }
        digits = List.copyOf(digits);
    }

    public String text() {
        StringBuilder text = new StringBuilder(digits.size());
        for (SegmentedDigit d : digits) {
            text.append(d.digit());
        }
        return text.toString();
    }

    public double confidence() {
        double product = 1;
        for (SegmentedDigit d : digits) {
            product *= d.prediction().confidence();
        }
        return product;
    }
}
