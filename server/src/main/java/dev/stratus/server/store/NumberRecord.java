package dev.stratus.server.store;

import dev.stratus.core.segment.SegmentedNumber;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One stored number: its digits left to right as the model read them, and later the user's
 * correction of the whole number, one character per digit (so that each corrected character is
 * the label of the digit in the same place).
 */
public record NumberRecord(String id, Instant createdAt, String modelVersion, List<NumberDigit> digits, String label,
                           Instant labelledAt) {

    public NumberRecord {
        if (id == null || id.isBlank() || createdAt == null || modelVersion == null) {
            throw new IllegalArgumentException("a number needs an id, a time and a model version");
        }
        if (digits == null || digits.isEmpty()) {
            throw new IllegalArgumentException("a number has at least one digit");
        }
        digits = List.copyOf(digits);
        String why = label == null ? null : NumberRecord.invalidLabel(label, digits.size());
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /** The record of a fresh reading, kept to the microsecond as every store holds it (see {@link PredictionRecord}). */
    public static NumberRecord classified(String id, Instant createdAt, String modelVersion, SegmentedNumber number) {
        return new NumberRecord(id, createdAt.truncatedTo(ChronoUnit.MICROS), modelVersion,
                number.digits().stream().map(NumberDigit::of).toList(), null, null);
    }

    /**
     * Why {@code label} cannot correct a number of {@code length} digits, or null when it can: it
     * must be ASCII digits, exactly one per digit read.
     */
    public static String invalidLabel(String label, int length) {
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c < '0' || c > '9') {
                return "a label is the number's digits 0-9 only, got '" + c + "' at position " + (i + 1);
            }
        }
        if (label.length() != length) {
            return "the number was read as " + length + " digit(s), so its label has " + length
                    + " digits (one for each box), got " + label.length();
        }
        return null;
    }

    /** The number as read, leading zeros kept. */
    public String number() {
        StringBuilder text = new StringBuilder(digits.size());
        digits.forEach(d -> text.append(d.digit()));
        return text.toString();
    }

    /** The product of the digits' top probabilities. */
    public double confidence() {
        double product = 1;
        for (NumberDigit d : digits) {
            product *= d.confidence();
        }
        return product;
    }

    public NumberRecord withLabel(String value, Instant at) {
        return new NumberRecord(id, createdAt, modelVersion, digits, value, at);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumberRecord r && r.id.equals(id) && r.createdAt.equals(createdAt)
                && r.modelVersion.equals(modelVersion) && r.digits.equals(digits) && Objects.equals(r.label, label)
                && Objects.equals(r.labelledAt, labelledAt);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "NumberRecord[" + id + ", number=" + number() + ", label=" + label + "]";
    }
}
