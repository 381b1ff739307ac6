package dev.stratus.server.store;

import dev.stratus.core.image.Mnist;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import dev.stratus.core.verdict.Verdict;
import java.util.Arrays;

/**
 * One stored prediction: what the model saw (28x28 bytes), what it answered (the probabilities
 * calibrated by its model card's temperature), its verdict (with the number read, for several
 * digits), and later the user's correction. The unit of the store contract, whatever the backend.
 * A record stored before verdicts existed has none ({@code verdict} null).
 */
public record PredictionRecord(String id, Instant createdAt, String modelVersion, int digit, float[] probabilities,
                               byte[] input, Integer label, Instant labelledAt, Verdict verdict, String number) {

    public PredictionRecord {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a prediction needs an id");
        }
        if (probabilities.length != Mnist.CLASSES || input.length != Mnist.PIXELS) {
            throw new IllegalArgumentException("a prediction has 10 probabilities and a 784-byte input");
        }
        if (label != null && (label < 0 || label >= Mnist.CLASSES)) {
            throw new IllegalArgumentException("label must be 0-9, got " + label);
        }
    }

    /** A record without a verdict (stored before issue 17). */
    public PredictionRecord(String id, Instant createdAt, String modelVersion, int digit, float[] probabilities,
                            byte[] input, Integer label, Instant labelledAt) {
        this(id, createdAt, modelVersion, digit, probabilities, input, label, labelledAt, null, null);
    }

    /**
     * The record of a fresh classification: the one place a prediction's record is made, by the
     * embedded pipeline, by a Kafka worker before it stores it, and by a gateway from the worker's
     * reply (whose {@code createdAt} is the worker's), so that every answer is its stored record.
     */
    public static PredictionRecord classified(String id, Instant createdAt, String modelVersion,
                                              dev.stratus.core.model.Prediction prediction,
                                              dev.stratus.core.image.DigitImage image) {
        return classified(id, createdAt, modelVersion, prediction, image, null, null);
    }

    /** As above, with the answer's verdict and, for several digits, the number read. */
    public static PredictionRecord classified(String id, Instant createdAt, String modelVersion,
                                              dev.stratus.core.model.Prediction prediction,
                                              dev.stratus.core.image.DigitImage image, Verdict verdict, String number) {
        // Kept to the microsecond, what every store holds (H2's TIMESTAMP has six fraction digits):
        // a nanosecond answer read back a microsecond record, and the answer was not its record.
        return new PredictionRecord(id, createdAt.truncatedTo(ChronoUnit.MICROS), modelVersion, prediction.digit(),
                prediction.probabilities(), image.toUnsignedBytes(), null, null, verdict, number);
    }

    public PredictionRecord withLabel(int value, Instant at) {
        return new PredictionRecord(id, createdAt, modelVersion, digit, probabilities, input, value, at, verdict, number);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PredictionRecord r && r.id.equals(id) && r.createdAt.equals(createdAt)
                && r.modelVersion.equals(modelVersion) && r.digit == digit
                && Arrays.equals(r.probabilities, probabilities) && Arrays.equals(r.input, input)
                && java.util.Objects.equals(r.label, label) && java.util.Objects.equals(r.labelledAt, labelledAt)
                && r.verdict == verdict && java.util.Objects.equals(r.number, number);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "PredictionRecord[" + id + ", digit=" + digit + ", label=" + label + "]";
    }
}
