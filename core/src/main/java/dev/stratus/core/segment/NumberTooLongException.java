package dev.stratus.core.segment;

/** The image holds more digits than a number may have; the API answers it with 400. */
public final class NumberTooLongException extends IllegalArgumentException {
    private final int maxDigits;

    public NumberTooLongException(String message, int maxDigits) {
        super(message);
        this.maxDigits = maxDigits;
    }

    public int maxDigits() {
        return maxDigits;
    }
}
